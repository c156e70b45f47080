"""Were the Python lines that the pages include executed by the tests?

Run after the test suite has measured the example projects with coverage
(``COOKBOOK_COVERAGE=1``): for every ``{literalinclude}`` of a Python file, the
lines the page shows are found the way Sphinx finds them, and every statement
among them must have run.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import coverage
from sphinx.config import Config
from sphinx.directives.code import LiteralIncludeReader

from .pages import parse_page
from .postgres import ROOT

DOCS = ROOT / "docs"


@dataclasses.dataclass
class IncludedRegion:
    page: str
    line: int
    file: Path
    first: int
    last: int
    statements: int = 0
    missing: tuple[int, ...] = ()


def included_python_regions() -> list[IncludedRegion]:
    regions = []
    config = Config({}, {})
    config.source_encoding = "utf-8"
    for md in sorted(DOCS.rglob("*.md")):
        if "_build" in md.parts:
            continue
        for block in parse_page(md).blocks:
            if not block.included or not block.argument.endswith(".py"):
                continue
            source = (md.parent / block.argument).resolve()
            text, _ = LiteralIncludeReader(str(source), dict(block.options), config).read()
            first, last = _locate(source.read_text().splitlines(), text.splitlines())
            regions.append(
                IncludedRegion(str(md.relative_to(ROOT)), block.line, source, first, last)
            )
    return regions


def _locate(lines: list[str], shown: list[str]) -> tuple[int, int]:
    """1-based first and last line of ``shown`` within ``lines``."""
    for start in range(len(lines) - len(shown) + 1):
        if lines[start : start + len(shown)] == shown:
            return start + 1, start + len(shown)
    raise ValueError("the included text is not a run of lines of its file")


def check(data_file: Path) -> tuple[list[IncludedRegion], list[str]]:
    cov = coverage.Coverage(data_file=str(data_file))
    cov.load()
    regions = included_python_regions()
    problems = []
    for region in regions:
        _, statements, _, missing, _ = cov.analysis2(str(region.file))
        inside = [n for n in statements if region.first <= n <= region.last]
        region.statements = len(inside)
        region.missing = tuple(n for n in missing if region.first <= n <= region.last)
        if region.missing:
            shown = f"{region.file.relative_to(ROOT)} lines {list(region.missing)}"
            problems.append(f"{region.page}:{region.line} shows {shown}, which no test executed")
    return regions, problems


def summary(regions: list[IncludedRegion]) -> dict[str, object]:
    pages: dict[str, dict[str, int]] = {}
    for region in regions:
        entry = pages.setdefault(region.page, {"statements": 0, "executed": 0})
        entry["statements"] += region.statements
        entry["executed"] += region.statements - len(region.missing)
    return pages


def write_into_report(regions: list[IncludedRegion], report: Path) -> None:
    data = json.loads(report.read_text()) if report.exists() else {}
    data["included_python"] = summary(regions)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(data, indent=2) + "\n")
