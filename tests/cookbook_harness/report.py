"""The snippet report: what one test run did with every block, suite and included region.

The plugin collects the facts from pytest's objects while the run goes on
(:class:`RunFacts`, kept on ``config.stash``) and writes the report when the
session ends, whatever its outcome. The site's status page reads these
reports; nothing there invents a figure that a run did not record.

A complete run (``nox -s tests``, ``nox -s matrix``) names its report file in
``COOKBOOK_REPORT``; the file says ``"outcome": "running"`` from the first
test on, so a run that was killed shows as unfinished, never as an older
clean run.
"""

from __future__ import annotations

import dataclasses
import doctest
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .layout import DOCS, REPORT, ROOT
from .matching import console_commands, has_wildcard, sql_statements
from .pages import Block, parse_page

PACKAGES = ("django-cockroachdb", "psycopg", "dbos", "procrastinate", "nitro-boost", "sybil")


def report_path() -> Path:
    """Where this run writes its report."""
    named = os.environ.get("COOKBOOK_REPORT")
    return Path(named) if named else REPORT


@dataclasses.dataclass
class RunFacts:
    """Everything the report says, gathered during the run."""

    blocks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    variant_ends: dict[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    failed_tests: list[dict[str, str]] = dataclasses.field(default_factory=list)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    suites: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    # (page, block line, variant) -> whether its included Python ran; absent: not measured.
    included_ran: dict[tuple[str, int, str], bool] = dataclasses.field(default_factory=dict)
    coverage_problems: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    servers: dict[str, Any] | None = None


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def header(outcome: str) -> dict[str, Any]:
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "outcome": outcome,
        "python": platform.python_version(),
        "django": _version("django"),
        # The version-matrix cell (set by nox), and the integrations it ran with.
        "cell": os.environ.get("COOKBOOK_CELL"),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".partial")
    temporary.write_text(json.dumps(data, indent=2) + "\n")
    temporary.replace(path)


def wildcards(block: Block) -> list[str]:
    """The output lines of a block that match by wildcard, as shown."""
    if block.language == "console":
        outputs = [output for _, output in console_commands(block.content)]
    elif block.language == "sql":
        outputs = [output or "" for _, output in sql_statements(block.content)]
    elif block.language == "pycon":
        parser = doctest.DocTestParser()
        outputs = [example.want for example in parser.get_examples(block.content)]
    else:
        return []
    return [
        line.strip() for output in outputs for line in output.splitlines() if has_wildcard(line)
    ]


def snippet_report(facts: RunFacts, outcome: str, exit_status: int) -> dict[str, Any]:
    """The whole report, per page and variant and per example suite."""
    pages: dict[str, Any] = {}
    for md in sorted(DOCS.rglob("*.md")):
        if "_build" in md.parts:
            continue
        page = parse_page(md)
        relative = str(md.relative_to(ROOT))
        entry: dict[str, Any] = {}
        for variant in page.variants:
            visible = [b for b in page.blocks if b.variant in (None, variant)]
            lines = {b.line: b for b in visible}
            ran = [o for o in facts.blocks if o["page"] == relative and o["variant"] == variant]
            # Sybil reports each `% skip:` comment as an example too: those are not
            # blocks, and count only if they fail (a condition that cannot be evaluated).
            blocks_ran = [o for o in ran if o["line"] in lines]
            includes = [
                {
                    "line": b.line,
                    "file": _repository_path(md, b.argument),
                    # Python: whether this variant's suites ran all of it (None: not
                    # measured in this run). Other files (configuration, templates,
                    # requirements) are not executed and count as included as they are.
                    "ran": facts.included_ran.get((relative, b.line, variant))
                    if b.argument.endswith(".py")
                    else True,
                }
                for b in visible
                if b.included
            ]
            end = facts.variant_ends.get((relative, variant), {})
            entry[variant if page.has_variants else "single"] = {
                # Where the page ran: a recipe in the project a reader builds from it
                # (startproject and the page's own blocks), any other page in an
                # empty directory.
                "project": "reader" if page.example else "empty",
                "blocks": len(visible),
                "included": sum(1 for include in includes if include["ran"]),
                "includes": includes,
                "executed": sum(o["outcome"] == "passed" for o in blocks_ran),
                "failed": sum(o["outcome"] == "failed" for o in ran) + int(bool(end.get("failed"))),
                "skipped": [
                    {"line": o["line"], "reason": o["reason"]}
                    for o in blocks_ran
                    if o["outcome"] == "skipped"
                ],
                "wildcards": [
                    {"line": o["line"], "shown": shown}
                    for o in blocks_ran
                    if o["outcome"] == "passed"
                    for shown in wildcards(lines[o["line"]])
                ],
                "connections": end.get("connections", {}),
                "pastes": end.get("pastes", []),
            }
        pages[relative] = entry
    failed = facts.failed_tests
    return header(outcome) | {
        "exit_status": exit_status,
        "tests": facts.counts,
        "failed_tests": failed,
        "suites": facts.suites,
        "included_coverage": {
            "measured": bool(facts.included_ran),
            "problems": facts.coverage_problems,
        },
        "servers": facts.servers,
        "pages": pages,
    }


def _repository_path(page: Path, argument: str) -> str:
    """An included file's path from the repository root, as the page names it."""
    target = (page.parent / argument).resolve()
    return str(target.relative_to(ROOT)) if target.is_relative_to(ROOT) else argument
