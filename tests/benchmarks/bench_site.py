"""The site's figures: rebuild after touching one page beside the toolchain's floor, cold
build, and what a reader downloads for each recipe page.

Run with `make bench` (or `nox -s bench -- site`; `python bench_site.py --help` for the
options). Everything is built in temporary directories, never in docs/_build.

- Rebuild: the site is built once, then one recipe page is touched (its modification
  time set to now) and the site rebuilt, several times. Beside it, interleaved run by
  run, the *floor*: a project of that one page alone, with only the toolchain (furo,
  MyST, sphinx-tabs, sphinx-copybutton), made here in a temporary directory. The
  difference is what the site's own configuration and extensions cost. CPU is the
  build process's user + system time; medians, since the machine is shared.
- Cold build: the whole site from nothing.
- Page weight: each recipe page's HTML plus every stylesheet, script and icon it makes
  the browser load, as files of the build (nothing guessed), raw and gzip-compressed.
  Budget: 150 KB raw and 40 KB gzip per page; the script exits non-zero when a page is
  over it. The timings have targets too (printed), but a noisy machine cannot fail them.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from cookbook_harness.layout import ROOT

DOCS = ROOT / "docs"
RAW_BUDGET_KB = 150.0
GZIP_BUDGET_KB = 40.0
# How much more CPU than the floor a rebuild after touching one page may take.
FLOOR_MARGIN_S = 0.3
# The floor: the site's toolchain and MyST settings, nothing of its own.
FLOOR_CONF = """\
extensions = ["myst_parser", "sphinx_tabs.tabs", "sphinx_copybutton"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
html_theme = "furo"
root_doc = {root_doc!r}
"""


@dataclass(frozen=True)
class Run:
    cpu: float
    wall: float


def children_cpu() -> float:
    """CPU time (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sphinx_build(source: Path, out: Path, *options: str) -> Run:
    """One ``sphinx-build -b html`` in a child process: its CPU time and wall time."""
    before = children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(source), str(out), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    cpu = children_cpu() - before
    if result.returncode != 0:
        raise SystemExit(f"sphinx-build {source} failed:\n{result.stdout}{result.stderr}")
    return Run(cpu, wall)


def touch(path: Path) -> None:
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def make_floor(work: Path, page: str) -> tuple[Path, Path]:
    """The floor project in ``work``: ``page`` (e.g. ``recipes/core``) alone, with its
    includes reachable as from docs/. Returns its source directory and its copy of the page."""
    source = work / "floor" / "docs"
    copy = source / f"{page}.md"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((DOCS / f"{page}.md").read_bytes())
    (source / "conf.py").write_text(FLOOR_CONF.format(root_doc=page))
    # The page includes files as ../../examples/... from docs/recipes/.
    (work / "floor" / "examples").symlink_to(ROOT / "examples")
    (work / "floor" / "conf").symlink_to(ROOT / "conf")
    return source, copy


def rebuild_figures(work: Path, page: str, runs: int) -> dict[str, list[Run]]:
    """Rebuilds after a touch of ``page``: the site's and the floor's, interleaved."""
    site_out = work / "site"
    site_options = ("-d", str(work / "site-doctrees"), "-W", "--keep-going", "-n")
    floor_source, floor_page = make_floor(work, page)
    floor_out = work / "floor-html"
    sphinx_build(DOCS, site_out, *site_options)
    sphinx_build(floor_source, floor_out)
    site_page = DOCS / f"{page}.md"
    saved = site_page.stat()
    found: dict[str, list[Run]] = {"site": [], "floor": []}
    try:
        for _ in range(runs):
            touch(site_page)
            found["site"].append(sphinx_build(DOCS, site_out, *site_options))
            touch(floor_page)
            found["floor"].append(sphinx_build(floor_source, floor_out))
    finally:
        # Leave the page as it was, so the writer's own next build does not reread it.
        os.utime(site_page, ns=(saved.st_atime_ns, saved.st_mtime_ns))
    return found


class Assets(HTMLParser):
    """The local files an HTML page loads: stylesheets, scripts, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = (values.get("rel") or "").split()
        if tag == "link" and {"stylesheet", "icon"} & set(rel):
            self.found.append(values.get("href") or "")
        elif tag in ("script", "img") and values.get("src"):
            self.found.append(values["src"] or "")


def loaded_files(page: Path, site: Path) -> list[Path]:
    parser = Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    files = []
    for url in parser.found:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            raise SystemExit(f"{page.relative_to(site)} loads {url} from another host")
        target = (page.parent / parts.path).resolve()
        if target.is_file() and target not in files:
            files.append(target)
    return files


def weigh(page: Path, site: Path) -> dict[str, tuple[int, int]]:
    """Bytes (raw, gzip) by kind: html, css, js, other."""
    totals: dict[str, tuple[int, int]] = {}
    for path in [page, *loaded_files(page, site)]:
        kind = {".html": "html", ".css": "css", ".js": "js"}.get(path.suffix, "other")
        data = path.read_bytes()
        raw, packed = totals.get(kind, (0, 0))
        totals[kind] = (raw + len(data), packed + len(gzip.compress(data, 9)))
    return totals


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", default="recipes/core", help="the page to touch")
    parser.add_argument("--runs", type=int, default=7, help="rebuilds of each kind")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold builds of the site")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cookbook-bench-site-"))
    try:
        rebuilds = rebuild_figures(work, options.page, options.runs)
        cold = [
            sphinx_build(DOCS, work / f"cold-{n}", "-d", str(work / f"cold-{n}-doctrees"))
            for n in range(options.cold_runs)
        ]
        site = work / "cold-0"
        weights = {
            page.relative_to(site).with_suffix("").as_posix(): weigh(page, site)
            for page in sorted((site / "recipes").glob("*.html"))
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    site_cpu, floor_cpu = median(rebuilds["site"], "cpu"), median(rebuilds["floor"], "cpu")
    print(f"{'figure':<48} {'CPU s':>7} {'wall s':>7}")
    print(
        f"{'rebuild after touching ' + options.page + ', site':<48} "
        f"{site_cpu:7.2f} {median(rebuilds['site'], 'wall'):7.2f}"
    )
    print(
        f"{'rebuild after touching ' + options.page + ', floor':<48} "
        f"{floor_cpu:7.2f} {median(rebuilds['floor'], 'wall'):7.2f}"
    )
    verdict = "within" if site_cpu - floor_cpu <= FLOOR_MARGIN_S else "NOT within"
    print(
        f"{'  site minus floor':<48} {site_cpu - floor_cpu:7.2f}"
        f"   ({verdict} the {FLOOR_MARGIN_S} s target; medians of {options.runs})"
    )
    print(
        f"{'cold build, whole site':<48} {median(cold, 'cpu'):7.2f} {median(cold, 'wall'):7.2f}"
        f"   (median of {options.cold_runs})"
    )
    print()
    print(f"{'recipe page + its CSS, JS, icons':<48} {'raw KB':>7} {'gzip KB':>7}")
    over = []
    for name, totals in weights.items():
        raw = sum(r for r, _ in totals.values()) / 1024
        packed = sum(p for _, p in totals.values()) / 1024
        parts = ", ".join(f"{kind} {r / 1024:.1f}" for kind, (r, _) in sorted(totals.items()))
        flag = ""
        if raw > RAW_BUDGET_KB or packed > GZIP_BUDGET_KB:
            over.append(name)
            flag = "  OVER BUDGET"
        print(f"{name:<48} {raw:7.1f} {packed:7.1f}   ({parts}){flag}")
    print(f"budget per page: {RAW_BUDGET_KB:.0f} KB raw, {GZIP_BUDGET_KB:.0f} KB gzip")
    if over:
        print(f"over the budget: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
