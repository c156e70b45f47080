"""The example projects' own test suites, run in processes of their own.

Each project has its own Django settings, so its suite runs in a subprocess
that gets the cluster through the libpq environment only, exactly as a
reader's shell would give it, and a fresh database each time. The suites
spend most of their time waiting on servers, workers and timers, so they run
side by side, in the background, while the pages run (see plugin.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from .postgres import ROOT, Cluster, Servers

EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/pytest.ini"))
SUITES_AT_ONCE = int(os.environ.get("COOKBOOK_SUITES_AT_ONCE", "4"))
# Each suite is a test of tests/test_examples.py.
TEST_PREFIX = "tests/test_examples.py::test_example_suite"

Runs = dict[tuple[str, str], Future[subprocess.CompletedProcess[str]]]


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


def started_suites(servers: Servers) -> Iterator[Runs]:
    """Start every example's suite in every available variant; wait for all at the end."""
    databases: list[tuple[Cluster, str]] = []
    with ThreadPoolExecutor(max_workers=SUITES_AT_ONCE) as pool:
        runs: Runs = {}
        for example in EXAMPLES:
            for variant, cluster in servers.clusters.items():
                database = f"test_{uuid.uuid4().hex[:12]}"
                cluster.create_database(database)
                databases.append((cluster, database))
                runs[example, variant] = pool.submit(run_suite, example, cluster, database)
        yield runs
    for cluster, database in databases:
        cluster.drop_database(database)
