"""Every Python line and branch a page includes ran in each variant the page shows it.

Measured on the example suites of that variant (cookbook_harness/included.py),
after all of them have finished, whether or not they passed.
"""

from __future__ import annotations

import pytest

from cookbook_harness.included import included_python_regions, measure
from cookbook_harness.layout import EXAMPLES
from cookbook_harness.plugin import facts
from cookbook_harness.postgres import Cluster
from cookbook_harness.suites import Runs, coverage_file


def test_included_python_ran(
    cluster: Cluster, example_suites: Runs, pytestconfig: pytest.Config
) -> None:
    measured = [example for (example, variant) in example_suites if variant == cluster.variant]
    for run in example_suites.values():
        run.result()
    found = facts(pytestconfig)
    # Only the examples whose suites this session ran in this variant are judged.
    regions = [
        region
        for region in included_python_regions()
        if any(region.file.is_relative_to(EXAMPLES / example) for example in measured)
    ]
    results = measure(coverage_file(cluster.variant), cluster.variant, regions)
    problems = []
    for result in results:
        region = result.region
        found.included_ran[region.page, region.line, cluster.variant] = result.executed
        if not result.executed:
            problems.append(result.problem())
    found.coverage_problems[cluster.variant] = problems
    assert results, "no page includes Python: nothing was measured"
    assert not problems, "\n".join(problems)
