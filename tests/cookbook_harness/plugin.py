"""The pytest plugin: live database servers, the page runner, the snippet report.

Loaded with ``-p cookbook_harness.plugin`` (see pyproject.toml).
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sybil.sybil import SybilCollection

from . import cockroach, runner, suites
from .pages import parse_page
from .postgres import ROOT, Cluster, HarnessError, Servers, describe, running_servers

REPORT = ROOT / "build" / "snippet-report.json"


@pytest.fixture(scope="session")
def cookbook_servers() -> Iterator[Servers]:
    """The secure and insecure clusters, started once per session, always stopped."""
    try:
        with running_servers() as servers:
            _server_facts.update(describe(servers))
            yield servers
    except HarnessError as exc:
        pytest.exit(f"cookbook harness: {exc}", returncode=3)


@pytest.fixture(scope="session")
def example_suites(cookbook_servers: Servers) -> Iterator[suites.Runs]:
    """The example projects' suites, running in the background (see suites.py)."""
    yield from suites.started_suites(cookbook_servers)


@pytest.fixture(scope="session", autouse=True)
def _start_example_suites(request: pytest.FixtureRequest) -> None:
    """When the example suites are among the tests, start them with the first test.

    Their tests are moved to the end (pytest_collection_modifyitems), so the
    suites run while the pages and the other tests do.
    """
    if request.config.stash.get(_RUNS_SUITES, False):
        request.getfixturevalue("example_suites")


_RUNS_SUITES = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    last = [item for item in items if item.nodeid.startswith(suites.TEST_PREFIX)]
    if last:
        config.stash[_RUNS_SUITES] = True
        items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def cockroach_nodes() -> Iterator[dict[str, cockroach.Node]]:
    """CockroachDB nodes by variant in the CockroachDB run (nox -s cockroachdb); else none."""
    if not runner.cockroach_run():
        yield {}
        return
    try:
        with cockroach.running_nodes() as nodes:
            _server_facts["cockroachdb"] = ".".join(
                map(str, cockroach.cockroach_version(next(iter(nodes.values())).binary))
            )
            yield nodes
    except HarnessError as exc:
        pytest.exit(f"cookbook harness: {exc}", returncode=3)


@pytest.fixture(params=["secure", "insecure"])
def cluster(request: pytest.FixtureRequest, cookbook_servers: Servers) -> Cluster:
    """Each test using this runs once per variant."""
    variant = request.param
    if variant not in cookbook_servers.clusters:
        pytest.skip(cookbook_servers.unavailable[variant])
    return cookbook_servers.clusters[variant]


@pytest.fixture
def fresh_database(cluster: Cluster) -> Iterator[str]:
    """A new, empty database on the variant's cluster, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    cluster.create_database(name)
    yield name
    cluster.drop_database(name)


_collect_docs = SybilCollection(runner.sybils()).pytest()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    return _collect_docs(file_path, parent)


# --- the snippet report ----------------------------------------------------------

_outcomes: list[dict[str, Any]] = []
_server_facts: dict[str, Any] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path, _, name = report.nodeid.partition("::")
    if not path.endswith(".md") or not name.startswith("sybil:"):
        return
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    variant = name.split(",")[0].removeprefix("sybil:")
    line = int(name.split("line:")[1].split(",")[0])
    reason = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
    _outcomes.append(
        {
            "page": path,
            "line": line,
            "variant": variant,
            "outcome": report.outcome,
            "reason": reason,
        }
    )


def snippet_report(
    outcomes: list[dict[str, Any]], servers: dict[str, Any] | None
) -> dict[str, Any]:
    """Per page and variant: blocks executed, included, skipped (with reasons)."""
    pages: dict[str, Any] = {}
    for md in sorted((ROOT / "docs").rglob("*.md")):
        if "_build" in md.parts:
            continue
        page = parse_page(md)
        relative = str(md.relative_to(ROOT))
        entry: dict[str, Any] = {}
        for variant in page.variants:
            visible = [b for b in page.blocks if b.variant in (None, variant)]
            ran = [o for o in outcomes if o["page"] == relative and o["variant"] == variant]
            # Sybil reports each `% skip:` comment as an example too: those are not
            # blocks, and count only if they fail (a condition that cannot be evaluated).
            lines = {b.line for b in visible}
            blocks_ran = [o for o in ran if o["line"] in lines]
            entry[variant if page.has_variants else "single"] = {
                "blocks": len(visible),
                "included": sum(b.included for b in visible),
                "includes": [
                    {"line": b.line, "file": _repository_path(md, b.argument)}
                    for b in visible
                    if b.included
                ],
                "executed": sum(o["outcome"] == "passed" for o in blocks_ran),
                "failed": sum(o["outcome"] == "failed" for o in ran),
                "skipped": [
                    {"line": o["line"], "reason": o["reason"]}
                    for o in blocks_ran
                    if o["outcome"] == "skipped"
                ],
            }
        pages[relative] = entry
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": _version("django"),
        # The version-matrix cell (set by nox), and the integrations it ran with.
        "cell": os.environ.get("COOKBOOK_CELL"),
        "packages": {name: _version(name) for name in PACKAGES},
        "servers": servers,
        "pages": pages,
    }


PACKAGES = ("django-cockroachdb", "psycopg", "dbos", "procrastinate", "nitro-boost", "sybil")


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _repository_path(page: Path, argument: str) -> str:
    """An included file's path from the repository root, as the page names it."""
    target = (page.parent / argument).resolve()
    return str(target.relative_to(ROOT)) if target.is_relative_to(ROOT) else argument


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _outcomes:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = snippet_report(_outcomes, _server_facts or None)
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
