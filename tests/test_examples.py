"""Each example project's own test suite, run once per variant.

The suites run in the background from the start of the session, while the
pages run (cookbook_harness/suites.py and the ``example_suites`` fixture of
plugin.py); these tests come last and report each suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_harness.postgres import ROOT, Cluster
from cookbook_harness.suites import EXAMPLES, Runs


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_suite(
    example: str,
    cluster: Cluster,
    example_suites: Runs,
) -> None:
    result = example_suites[example, cluster.variant].result()
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
