"""Were the Python lines and branches that the pages include executed, in each variant?

The example suites run under coverage with branch measurement, into one data
file per variant (suites.py). For every ``{literalinclude}`` of a Python file,
the lines the page shows are found the way Sphinx finds them; in each variant
the page shows the block, every statement among them must have run and every
branch that starts among them must have been taken both ways it can go.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from pathlib import Path

import coverage
from sphinx.config import Config
from sphinx.directives.code import LiteralIncludeReader
from sybil.evaluators.skip import If

from .assembly import include_options
from .evaluators import skip_namespace
from .layout import DOCS, ROOT
from .pages import parse_page


@dataclasses.dataclass
class IncludedRegion:
    """The lines of one file that one block of a page shows."""

    page: str
    line: int
    variants: tuple[str, ...]
    file: Path
    first: int
    last: int
    # The reason, when the page's `% skip: next if(...)` skips this block here.
    skipped: str | None = None


@dataclasses.dataclass
class Measured:
    """What one variant's suites executed of a region."""

    region: IncludedRegion
    variant: str
    statements: int
    missing: tuple[int, ...]
    missing_branches: tuple[tuple[int, int], ...]

    @property
    def executed(self) -> bool:
        return not self.missing and not self.missing_branches

    def problem(self) -> str:
        region = self.region
        parts = []
        if self.missing:
            parts.append(f"lines {list(self.missing)}")
        if self.missing_branches:
            arcs = ", ".join(f"{a}->{'exit' if b < 0 else b}" for a, b in self.missing_branches)
            parts.append(f"branches {arcs}")
        return (
            f"{region.page}:{region.line} [{self.variant}] shows "
            f"{region.file.relative_to(ROOT)}: {' and '.join(parts)} never ran in that variant"
        )


def included_python_regions(docs: Path = DOCS) -> list[IncludedRegion]:
    regions = []
    config = Config({}, {})
    config.source_encoding = "utf-8"
    for md in sorted(docs.rglob("*.md")):
        if "_build" in md.parts:
            continue
        page = parse_page(md)
        lines = md.read_text(encoding="utf-8").splitlines()
        for block in page.blocks:
            if not block.included or not block.argument.endswith(".py"):
                continue
            source = (md.parent / block.argument).resolve()
            options = include_options(block.options)
            text, _ = LiteralIncludeReader(str(source), options, config).read()
            first, last = _locate(source.read_text().splitlines(), text.splitlines())
            variants = tuple(v for v in page.variants if block.variant in (None, v))
            regions.append(
                IncludedRegion(
                    str(md.relative_to(ROOT)),
                    block.line,
                    variants,
                    source,
                    first,
                    last,
                    skipped=skip_reason(lines, block.line),
                )
            )
    return regions


SKIP = re.compile(r"^%\s*skip:\s*next(?:\s+(?P<reason>.+))?\s*$")


def skip_reason(lines: list[str], line: int) -> str | None:
    """Why the block at ``line`` is skipped in this environment, or None if it runs.

    The page's own `% skip: next ...` comment, on the line above the block, is
    evaluated as Sybil evaluates it in the page run, with the same names
    (evaluators.skip_namespace): a block that did not run here has no lines that
    must have run.
    """
    above = lines[line - 2].strip() if line >= 2 else ""
    match = SKIP.match(above)
    if match is None:
        return None
    reason = (match["reason"] or "").strip()
    if not reason:
        return "skipped on the page"
    namespace = skip_namespace()
    if reason.startswith("if"):
        # Sybil's own condition, as its skip evaluator installs it.
        namespace["if_"] = If(reason[2:])
        reason = "if_" + reason[2:]
    return eval(reason, namespace)  # noqa: S307


def _locate(lines: list[str], shown: list[str]) -> tuple[int, int]:
    """1-based first and last line of ``shown`` within ``lines``.

    ``:dedent:`` removes leading spaces from what is shown, so lines are
    compared without them.
    """
    stripped = [line.strip() for line in lines]
    wanted = [line.strip() for line in shown]
    for start in range(len(lines) - len(shown) + 1):
        if stripped[start : start + len(shown)] == wanted:
            return start + 1, start + len(shown)
    raise ValueError("the included text is not a run of lines of its file")


def measure(data_file: Path, variant: str, regions: list[IncludedRegion]) -> list[Measured]:
    """Each region the variant shows, against that variant's coverage data."""
    shown = [region for region in regions if variant in region.variants and not region.skipped]
    if not shown:
        return []
    cov = coverage.Coverage(data_file=str(data_file))
    cov.combine(data_paths=[str(data_file.parent)], keep=True)
    cov.load()
    files = sorted({str(region.file) for region in shown})
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "coverage.json"
        cov.json_report(morfs=files, outfile=str(output), ignore_errors=True)
        report = json.loads(output.read_text())["files"]
    # The report names files relative to the working directory.
    by_file = {str((Path.cwd() / name).resolve()): data for name, data in report.items()}
    measured = []
    for region in shown:
        data = by_file.get(str(region.file))
        inside = range(region.first, region.last + 1)
        missing_branches: tuple[tuple[int, int], ...] = ()
        if data is None:  # the file was never imported: nothing it shows ran
            statements = list(inside)
            missing = tuple(inside)
        else:
            executed = set(data["executed_lines"])
            statements = [n for n in data["executed_lines"] + data["missing_lines"] if n in inside]
            missing = tuple(sorted(n for n in statements if n not in executed))
            missing_branches = tuple(
                (start, end) for start, end in data.get("missing_branches", []) if start in inside
            )
        measured.append(Measured(region, variant, len(statements), missing, missing_branches))
    return measured
