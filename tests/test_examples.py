"""Each example project's own test suite, run once per variant.

The suites run in their own processes because each project has its own Django
settings. They get the cluster through the libpq environment only, exactly as
a reader's shell would give it to them, and a fresh database each time.

They spend most of their time waiting on servers, workers and timers, so
they run side by side (SUITES_AT_ONCE at a time), started together when the
first of these tests runs; each test then reports its own suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from cookbook_harness.postgres import ROOT, Cluster, Servers

EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/pytest.ini"))
SUITES_AT_ONCE = int(os.environ.get("COOKBOOK_SUITES_AT_ONCE", "4"))


def example_env(cluster: Cluster, database: str) -> dict[str, str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "DJANGO_", "PYTEST_", "COV_CORE_"))
    }
    return inherited | cluster.client_env(database)


def run_suite(example: str, cluster: Cluster, database: str) -> subprocess.CompletedProcess[str]:
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
    return subprocess.run(
        command,
        cwd=ROOT / "examples" / example,
        env=example_env(cluster, database),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def suites(
    cookbook_servers: Servers,
) -> Iterator[dict[tuple[str, str], Future[subprocess.CompletedProcess[str]]]]:
    """Every example's suite in every available variant, started at once."""
    databases: list[tuple[Cluster, str]] = []
    with ThreadPoolExecutor(max_workers=SUITES_AT_ONCE) as pool:
        runs = {}
        for example in EXAMPLES:
            for variant, cluster in cookbook_servers.clusters.items():
                database = f"test_{uuid.uuid4().hex[:12]}"
                cluster.create_database(database)
                databases.append((cluster, database))
                runs[example, variant] = pool.submit(run_suite, example, cluster, database)
        yield runs
    for cluster, database in databases:
        cluster.drop_database(database)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_suite(
    example: str,
    cluster: Cluster,
    suites: dict[tuple[str, str], Future[subprocess.CompletedProcess[str]]],
) -> None:
    result = suites[example, cluster.variant].result()
    output = result.stdout + result.stderr
    where = f"examples/{example} [{cluster.variant}]"
    assert result.returncode == 0, f"{where} failed:\n{output[-6000:]}"
    assert " passed" in result.stdout.splitlines()[-1], f"{where}:\n{output[-2000:]}"


def test_every_example_has_a_suite() -> None:
    projects = {path.name for path in (ROOT / "examples").iterdir() if path.is_dir()}
    assert projects == set(EXAMPLES), "an example project without pytest.ini is not tested"
    for name in EXAMPLES:
        assert (ROOT / "examples" / name / "manage.py").exists(), name
        assert any(Path(ROOT / "examples" / name / "tests").glob("test_*.py")), name
