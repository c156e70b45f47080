"""Each example project's own test suite, run once per variant.

The suites run in their own processes because each project has its own Django
settings. They get the cluster through the libpq environment only, exactly as
a reader's shell would give it to them, and a fresh database each time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cookbook_harness.postgres import ROOT, Cluster

EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/pytest.ini"))


def example_env(cluster: Cluster, database: str) -> dict[str, str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "DJANGO_", "PYTEST_", "COV_CORE_"))
    }
    return inherited | cluster.client_env(database)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_suite(example: str, cluster: Cluster, fresh_database: str) -> None:
    project = ROOT / "examples" / example
    measure = (
        [
            "coverage",
            "run",
            f"--rcfile={ROOT / 'pyproject.toml'}",
            f"--source={ROOT / 'examples'}",
            "-m",
        ]
        if os.environ.get("COOKBOOK_COVERAGE")
        else []
    )
    command = [sys.executable, "-m", *measure, "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        command,
        cwd=project,
        env=example_env(cluster, fresh_database),
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"examples/{example} [{cluster.variant}] failed:\n{output[-6000:]}"
    )
    assert " passed" in output.splitlines()[-1], output[-2000:]


def test_every_example_has_a_suite() -> None:
    projects = {path.name for path in (ROOT / "examples").iterdir() if path.is_dir()}
    assert projects == set(EXAMPLES), "an example project without pytest.ini is not tested"
    for name in EXAMPLES:
        assert (ROOT / "examples" / name / "manage.py").exists(), name
        assert any(Path(ROOT / "examples" / name / "tests").glob("test_*.py")), name
