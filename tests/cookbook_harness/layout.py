"""Where everything is: the repository's folders, the variants, the examples, the reports.

Every other module of the harness, the Sphinx extensions, the benchmarks and
noxfile.py take these from here. ``COOKBOOK_ROOT`` points the harness at
another copy of the repository; by default it is the checkout this package is
installed from. ``COOKBOOK_BUILD`` moves what a run writes (reports, coverage
data) out of the checkout's build/, for test sessions that tests start.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(os.environ.get("COOKBOOK_ROOT") or Path(__file__).resolve().parents[2]).resolve()
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
CONF = ROOT / "conf"
# What the test runs write; a test session run by a test points it elsewhere.
BUILD = Path(os.environ.get("COOKBOOK_BUILD") or ROOT / "build")

#: The database variants, as the pages' tabs name them (``Secure``, ``Insecure``).
VARIANTS = ("secure", "insecure")
VARIANT_LABELS = {"Secure": "secure", "Insecure": "insecure"}

#: What a test run writes: the report of the run in progress, then one per matrix cell.
REPORT = BUILD / "snippet-report.json"
COVERAGE = BUILD / "coverage"


def example_names(examples: Path = EXAMPLES) -> list[str]:
    """The example projects: each folder of examples/ with a ``manage.py``."""
    return sorted(path.parent.name for path in examples.glob("*/manage.py"))


def cell_name(python: str, django: str) -> str:
    """A version-matrix cell's name, as its report file carries it."""
    return f"py{python}-django{django}"


def cell_report(cell: str, build: Path = BUILD) -> Path:
    """The report a complete run of one cell keeps (the site's status reads these)."""
    return build / f"snippet-report-{cell}.json"


def matrix() -> dict:
    """pyproject.toml's ``[tool.cookbook.matrix]``: the Pythons, the Djangos, the default cell."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["cookbook"]["matrix"]


def default_cell() -> str:
    default = matrix()["default"]
    return cell_name(default["python"], default["django"])


def matrix_cells() -> list[str]:
    found = matrix()
    return [cell_name(p, d) for p in found["pythons"] for d in found["djangos"]]
