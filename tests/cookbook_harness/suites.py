"""The example projects' own test suites, run in processes of their own.

Each project has its own Django settings, so its suite runs in a subprocess
that gets the cluster through the libpq environment only, exactly as a
reader's shell would give it, and a fresh database each time. It logs in as
``postgres.TESTS_USER``, so that the servers' logs tell its connections from a
page's (audit.py). The suites spend most of their time waiting on servers,
workers and timers, so they run side by side, in the background, while the
pages run (see plugin.py): the longest first, as the last run timed them, and
at a lower CPU priority than the pages, whose blocks run one after another and
are the session's longest chain.

Every suite runs under coverage, with branches, into one data file per
variant (included.py checks the lines the pages include), and writes a JUnit
XML file from which the report counts its passed, skipped and failed tests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import watchdog
from .layout import BUILD, COVERAGE, EXAMPLES, ROOT, example_names
from .postgres import TESTS_USER, Cluster, Servers

SUITES_AT_ONCE = int(os.environ.get("COOKBOOK_SUITES_AT_ONCE", "4"))
SUITE_TIMEOUT = 900
#: The suites' niceness: on a machine with fewer cores than processes running,
#: the pages' chain keeps its pace and the suites fill the idle time.
SUITE_NICENESS = 10
RESULTS = BUILD / "suites"


@dataclasses.dataclass
class SuiteResult:
    """One example suite in one variant: its exit status, output and tests."""

    example: str
    variant: str
    returncode: int
    output: str
    passed: list[str]
    skipped: list[dict[str, str]]
    failed: list[dict[str, str]]

    def figures(self) -> dict[str, object]:
        return {
            "returncode": self.returncode,
            "passed": len(self.passed),
            "skipped": self.skipped,
            "failed": self.failed,
        }


Runs = dict[tuple[str, str], Future[SuiteResult]]


def coverage_file(variant: str) -> Path:
    """Where the suites of one variant write their coverage data."""
    return COVERAGE / variant / ".coverage"


def example_env(cluster: Cluster, database: str) -> dict[str, str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "DJANGO_", "PYTEST_", "COV_CORE_", "COVERAGE_"))
    }
    return inherited | cluster.client_env(database, user=TESTS_USER)


class Processes:
    """The suites' processes that are running, so that an interrupted session can end them."""

    def __init__(self) -> None:
        self.running: set[subprocess.Popen[str]] = set()

    def end_all(self) -> None:
        """End the suites still running, and what they started in process groups of their
        own (a suite's development servers), found by the session's mark."""
        if not self.running:
            return
        for process in list(self.running):
            end(process)
        watchdog.end_processes(watchdog.session_mark(), frozenset({os.getpid()}))


def end(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the process's group, SIGKILL three seconds later if it is still there."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=3)
            return


def run_suite(example: str, cluster: Cluster, database: str, processes: Processes) -> SuiteResult:
    junit = RESULTS / f"{example}-{cluster.variant}.xml"
    junit.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "coverage",
        "run",
        f"--rcfile={ROOT / 'pyproject.toml'}",
        f"--source={EXAMPLES}",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
    ]
    env = example_env(cluster, database) | {"COVERAGE_FILE": str(coverage_file(cluster.variant))}
    # A process group of its own, so that everything the suite starts can be ended; not
    # a session of its own: Linux gives each session a CPU share of its own (autogroups),
    # which no niceness lowers, and four suites would take four shares to the pages' one.
    process = subprocess.Popen(
        command,
        cwd=EXAMPLES / example,
        env=env,
        # Not the terminal: a process group in the background that read it would stop.
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    processes.running.add(process)
    # Before it starts anything: what it starts inherits the priority.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, process.pid, SUITE_NICENESS)
    try:
        output, _ = process.communicate(timeout=SUITE_TIMEOUT)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        end(process)
        output, _ = process.communicate()
        returncode, output = -1, f"timed out after {SUITE_TIMEOUT} s\n{output}"
    finally:
        processes.running.discard(process)
    passed, skipped, failed = junit_tests(junit)
    return SuiteResult(example, cluster.variant, returncode, output, passed, skipped, failed)


def junit_tests(path: Path) -> tuple[list[str], list[dict[str, str]], list[dict[str, str]]]:
    """Passed test names, skipped and failed tests with their messages, from JUnit XML."""
    passed: list[str] = []
    skipped: list[dict[str, str]] = []
    failed: list[dict[str, str]] = []
    if not path.exists():
        return passed, skipped, failed
    for case in ET.parse(path).iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        skip = case.find("skipped")
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed.append({"test": name, "message": problem.get("message", "")})
        elif skip is not None:
            skipped.append({"test": name, "reason": skip.get("message", "")})
        else:
            passed.append(name)
    return passed, skipped, failed


def last_duration(example: str, variant: str) -> float:
    """How long the suite took in the last run (its JUnit XML); never run: infinity."""
    try:
        suite = next(ET.parse(RESULTS / f"{example}-{variant}.xml").iter("testsuite"))
        return float(suite.get("time", "inf"))
    except (OSError, ET.ParseError, StopIteration, ValueError):
        return float("inf")


def started_suites(servers: Servers, wanted: set[tuple[str, str]]) -> Iterator[Runs]:
    """Start the wanted (example, variant) suites; wait for all of them at the end."""
    databases: list[tuple[Cluster, str]] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    for variant in servers.clusters:
        shutil.rmtree(coverage_file(variant).parent, ignore_errors=True)
        coverage_file(variant).parent.mkdir(parents=True)
    processes = Processes()
    pool = ThreadPoolExecutor(max_workers=SUITES_AT_ONCE)
    runs: Runs = {}
    order = [
        (example, variant, cluster)
        for example in example_names()
        for variant, cluster in servers.clusters.items()
        if (example, variant) in wanted
    ]
    # Longest first, so that the last to start are short (stable for ties).
    order.sort(key=lambda run: -last_duration(run[0], run[1]))
    try:
        for example, variant, cluster in order:
            database = f"test_{uuid.uuid4().hex[:12]}"
            cluster.create_database(database, owner=TESTS_USER)
            databases.append((cluster, database))
            runs[example, variant] = pool.submit(run_suite, example, cluster, database, processes)
        yield runs
    finally:
        # Normally every suite is done by now; after an interruption, end them.
        pool.shutdown(wait=False, cancel_futures=True)
        processes.end_all()
        pool.shutdown(wait=True)
    for cluster, database in databases:
        cluster.drop_database(database)
