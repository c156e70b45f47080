"""The pytest plugin: live database servers, the page runner, the snippet report.

Loaded with ``-p cookbook_harness.plugin`` (see pyproject.toml).
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document
from sybil.integration.pytest import SybilFile, SybilItem

from . import cockroach, evaluators, suites, watchdog
from .layout import ROOT, VARIANTS, example_names
from .postgres import Cluster, HarnessError, Servers, describe, running_servers
from .report import RunFacts, header, report_path, snippet_report, write

# The process that started this session (nox, or a shell), as early as it is known.
PARENT = os.getppid()

#: What the run did, for the snippet report (report.py).
FACTS = pytest.StashKey[RunFacts]()
#: The variant a page's item runs in.
VARIANT = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def cookbook_servers(pytestconfig: pytest.Config) -> Iterator[Servers]:
    """The secure and insecure clusters, started once per session, always stopped.

    With ``COOKBOOK_SERVERS`` naming a file that another session wrote
    (:meth:`Servers.save`), this session uses that session's clusters instead.
    ``COOKBOOK_PORT_OFFSET`` moves them off the ports the pages show (the
    harness's own tests of interruption use it; pages cannot run there).
    """
    shared = os.environ.get("COOKBOOK_SERVERS")
    if shared:
        servers = Servers.attach(Path(shared))
        facts(pytestconfig).servers = dict(describe(servers))
        yield servers
        return
    offset = int(os.environ.get("COOKBOOK_PORT_OFFSET", "0"))
    try:
        with running_servers(port_offset=offset) as servers:
            facts(pytestconfig).servers = dict(describe(servers))
            yield servers
    except HarnessError as exc:
        pytest.exit(f"cookbook harness: {exc}", returncode=3)


@pytest.fixture(scope="session")
def example_suites(cookbook_servers: Servers, pytestconfig: pytest.Config) -> Iterator[suites.Runs]:
    """The example projects' suites this session tests, running in the background.

    Only those whose test (tests/test_examples.py) was selected, in the
    variants selected; see suites.py.
    """
    wanted = pytestconfig.stash.get(_SUITES, set())
    yield from suites.started_suites(cookbook_servers, wanted)


@pytest.fixture(scope="session", autouse=True)
def _start_example_suites(request: pytest.FixtureRequest) -> None:
    """When the example suites are among the tests, start them with the first test.

    Their tests are moved to the end (pytest_collection_modifyitems), so the
    suites run while the pages and the other tests do.
    """
    if request.config.stash.get(_RUNS_SUITES, False):
        request.getfixturevalue("example_suites")


_RUNS_SUITES = pytest.StashKey[bool]()


_SUITES = pytest.StashKey[set[tuple[str, str]]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the tests that wait for the example suites to the end, and note which suites
    the selected tests need: (example, variant), from their parameters."""
    only = config.getoption("variant")
    if only:
        chosen, deselected = [], []
        for item in items:
            (chosen if _variant_of(item) in (None, only) else deselected).append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = chosen
    last = [item for item in items if "example_suites" in getattr(item, "fixturenames", ())]
    if not last:
        return
    config.stash[_RUNS_SUITES] = True
    items[:] = [item for item in items if item not in last] + last
    params = [item.callspec.params if hasattr(item, "callspec") else {} for item in last]
    # A test that names no example (the included coverage) needs those the others
    # name, or all of them.
    named = sorted({p["example"] for p in params if "example" in p}) or example_names()
    wanted: set[tuple[str, str]] = set()
    for found in params:
        variants = [found["cluster"]] if "cluster" in found else list(VARIANTS)
        examples = [found["example"]] if "example" in found else named
        wanted |= {(example, variant) for example in examples for variant in variants}
    config.stash[_SUITES] = wanted


@pytest.fixture(scope="session")
def cockroach_nodes(pytestconfig: pytest.Config) -> Iterator[dict[str, cockroach.Node]]:
    """CockroachDB nodes by variant in the CockroachDB run (nox -s cockroachdb); else none."""
    if not evaluators.cockroach_run():
        yield {}
        return
    try:
        with cockroach.running_nodes() as nodes:
            version = cockroach.cockroach_version(next(iter(nodes.values())).binary)
            servers = facts(pytestconfig).servers or {}
            servers["cockroachdb"] = ".".join(map(str, version))
            facts(pytestconfig).servers = servers
            yield nodes
    except HarnessError as exc:
        pytest.exit(f"cookbook harness: {exc}", returncode=3)


@pytest.fixture(params=VARIANTS)
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


class PageFile(SybilFile):
    """A page: Sybil's item per block and variant, then one item that ends each variant.

    The last item reads the servers' logs once more after stopping what the
    page left running, runs the decoy test of the Secure variant, and cleans up.
    """

    def collect(self) -> Iterator[pytest.Item]:
        for sybil in self.sybils:
            document = sybil.parse(self.path)
            self.documents.append(document)
            examples = list(document.examples())
            for example in examples:
                item = SybilItem.from_parent(self, sybil=sybil, example=example)
                # Each Sybil reads the page for one variant (evaluators.sybils).
                item.stash[VARIANT] = sybil.name
                yield item
            if examples:
                end = VariantEnd.from_parent(self, name=f"{sybil.name}:end", document=document)
                end.stash[VARIANT] = sybil.name
                yield end


class VariantEnd(pytest.Item):
    def __init__(self, *, document: Document, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document = document

    def runtest(self) -> None:
        page = str(self.path.relative_to(ROOT))
        variant = self.document.namespace["_cookbook_variant"]
        ends = facts(self.config).variant_ends
        ends[page, variant] = {"failed": True}
        ends[page, variant] = evaluators.finish_variant(self.document.namespace, page)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, evaluators.SnippetFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


def _variant_of(item: pytest.Item) -> str | None:
    """The variant an item runs in: a page's, or its parameter's; None: any."""
    if VARIANT in item.stash:
        return item.stash[VARIANT]
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return params.get("cluster")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    sybils = [sybil for sybil in evaluators.sybils() if sybil.should_parse(file_path)]
    if sybils:
        return PageFile.from_parent(parent, path=file_path, sybils=sybils)
    return None


# --- the snippet report ----------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """Count every test's outcome and name each failure; record what each page block did."""
    report: pytest.TestReport = yield
    found = facts(item.config)
    if report.failed:
        found.failed_tests.append(
            {"test": report.nodeid, "when": report.when, "message": _message(call, report)}
        )
    if report.when == "call" or (report.when == "setup" and not report.passed):
        found.counts[report.outcome] = found.counts.get(report.outcome, 0) + 1
    if not isinstance(item, SybilItem):
        return report
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        example = item.example
        reason = ""
        if report.skipped and call.excinfo is not None:
            # pytest.skip() raises Skipped (with .msg); Sybil's skip raises unittest.SkipTest.
            skip = call.excinfo.value
            reason = str(getattr(skip, "msg", None) or skip)
        found.blocks.append(
            {
                "page": str(Path(example.path).relative_to(ROOT)),
                "line": example.line,
                "variant": example.namespace["_cookbook_variant"],
                "outcome": report.outcome,
                "reason": reason,
            }
        )
    return report


def _message(call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    """The first line of what went wrong: the block's message (Sybil keeps it as the
    failure's ``result``), or the exception's."""
    error = call.excinfo.value if call.excinfo is not None else None
    text = str(getattr(error, "result", None) or error or report.outcome)
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first[:300]


def facts(config: pytest.Config) -> RunFacts:
    return config.stash.setdefault(FACTS, RunFacts())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--variant",
        choices=VARIANTS,
        help="run only this variant's blocks, page ends and per-variant tests",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Started with SIGINT ignored (a script's `make test &`), every process this session
    # starts would ignore the SIGINT that stops a server gracefully; and SIGTERM (nox on
    # a second Ctrl-C, a CI runner cancelling) would end the session without clean-up.
    # Both interrupt the session instead, which then stops what it started.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    # A SIGTERM to nox alone ends nox at once: the session must not outlive it.
    watchdog.end_with_parent(PARENT)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("COOKBOOK_REPORT"):
        # A complete run: until it ends, its report says it has not finished.
        write(report_path(), header("running"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = facts(session.config)
    complete = bool(os.environ.get("COOKBOOK_REPORT"))
    if not found.blocks and not complete:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        outcome = "interrupted"
    elif exitstatus == pytest.ExitCode.OK and not found.failed_tests:
        outcome = "passed"
    else:
        outcome = "failed"
    write(report_path(), snippet_report(found, outcome, int(exitstatus)))
