"""Each example project's own test suite, run once per variant.

The suites run in the background from the start of the session, while the
pages run (cookbook_harness/suites.py and the ``example_suites`` fixture of
plugin.py); these tests come last and report each suite: its exit status, and
its passed, skipped and failed tests, which the snippet report records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_harness.layout import EXAMPLES, example_names
from cookbook_harness.plugin import facts
from cookbook_harness.postgres import Cluster
from cookbook_harness.suites import Runs


@pytest.mark.parametrize("example", example_names())
def test_example_suite(
    example: str, cluster: Cluster, example_suites: Runs, pytestconfig: pytest.Config
) -> None:
    result = example_suites[example, cluster.variant].result()
    facts(pytestconfig).suites.setdefault(example, {})[cluster.variant] = result.figures()
    where = f"examples/{example} [{cluster.variant}]"
    failed = "\n".join(f"- {test['test']}: {test['message']}" for test in result.failed)
    assert result.returncode == 0 and not result.failed, (
        f"{where} failed (exit status {result.returncode}):\n{failed}\n{result.output[-6000:]}"
    )
    assert result.passed, f"{where} ran no test:\n{result.output[-2000:]}"


def test_every_example_has_a_suite() -> None:
    projects = {path.name for path in EXAMPLES.iterdir() if path.is_dir()}
    assert projects == set(example_names()), "a folder of examples/ without manage.py"
    for name in example_names():
        assert (EXAMPLES / name / "pytest.ini").exists(), name
        assert any(Path(EXAMPLES / name / "tests").glob("test_*.py")), name
