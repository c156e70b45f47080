"""The snippet reports of the test runs, one per cell of the version matrix.

`nox -s tests` (the default cell) and `nox -s matrix` write
``build/snippet-report-<cell>.json`` during a complete run; the format is made
by ``snippet_report()`` in tests/cookbook_harness/report.py. This module only
reads them: nothing here invents a figure that no run produced.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from cookbook_harness.layout import BUILD, default_cell, matrix_cells

# The cell whose page-by-page figures the site shows (nox's `tests` session).
DEFAULT_CELL = default_cell()
# Every cell `nox -s matrix` runs.
MATRIX_CELLS = matrix_cells()


@dataclasses.dataclass(frozen=True)
class Cell:
    """One test run: its environment and, per page and variant, what its blocks did."""

    name: str
    report: dict[str, Any]

    @property
    def servers(self) -> dict[str, Any]:
        return self.report.get("servers") or {}

    @property
    def date(self) -> str:
        return str(self.report.get("generated", "")).replace("T", " ").removesuffix("+00:00")

    @property
    def cockroach_backend(self) -> str:
        return str((self.report.get("packages") or {}).get("django-cockroachdb") or "-")

    def database(self) -> str:
        if not self.servers:
            return "no server started"
        tls = "with TLS" if self.servers.get("tls") else "without TLS"
        postgresql = f"PostgreSQL {self.servers.get('postgresql')} {tls}"
        if self.servers.get("cockroachdb"):
            # The CockroachDB run (nox -s cockroachdb): its page ran on CockroachDB nodes.
            return f"CockroachDB {self.servers['cockroachdb']} (Secure with TLS), {postgresql}"
        return postgresql

    @property
    def outcome(self) -> str:
        """passed, failed, interrupted, or running (a run that never finished)."""
        return str(self.report.get("outcome") or "running")

    @property
    def failed_tests(self) -> list[dict[str, str]]:
        return list(self.report.get("failed_tests") or [])

    def verdict(self) -> str:
        """The run's outcome in words, failures first."""
        failed = len(self.failed_tests)
        return {
            "passed": "passed",
            "failed": f"FAILED ({failed} test{'s' if failed != 1 else ''})",
            "interrupted": "INTERRUPTED",
            "running": "DID NOT FINISH",
        }.get(self.outcome, self.outcome.upper())

    def variants(self, page: str) -> dict[str, dict[str, Any]]:
        return self.report.get("pages", {}).get(page, {})

    def totals(self) -> dict[str, int]:
        found = {"executed": 0, "skipped": 0, "failed": 0, "included": 0}
        for variants in self.report.get("pages", {}).values():
            for figures in variants.values():
                found["executed"] += figures["executed"]
                found["failed"] += figures["failed"]
                found["included"] += figures["included"]
                found["skipped"] += len(figures["skipped"])
        return found


def load_cells(build: Path = BUILD) -> list[Cell]:
    """Every cell's report, the default cell first."""
    cells = []
    for path in sorted(build.glob("snippet-report-*.json")):
        name = path.stem.removeprefix("snippet-report-")
        try:
            cells.append(Cell(name, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # a report cut short by a killed run is no report
    return sorted(cells, key=lambda cell: (cell.name != DEFAULT_CELL, cell.name))


def main_cell(cells: list[Cell]) -> Cell | None:
    """The run whose figures each page shows: the default cell, else the first there is."""
    return cells[0] if cells else None


def page_line(cell: Cell, page: str) -> str | None:
    """One sentence on what a page's blocks did in a run; None when the run lacks the page."""
    variants = cell.variants(page)
    if not variants:
        return None
    parts = []
    for variant, figures in variants.items():
        label = "" if variant == "single" else f"{variant.capitalize()}: "
        skipped = len(figures["skipped"])
        text = f"{label}{figures['executed']} ran, {figures['included']} included"
        text += f", {skipped} skipped" if skipped else ""
        text += f", {figures['failed']} FAILED" if figures["failed"] else ""
        parts.append(text)
    line = "; ".join(parts)
    # A page whose own blocks all passed still says so when its run failed elsewhere.
    return line if cell.outcome == "passed" else f"the run {cell.verdict()}. {line}"
