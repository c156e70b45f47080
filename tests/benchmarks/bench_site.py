"""Page weight: each recipe page's HTML plus every file it makes the browser load.

Run with `make bench` (or `nox -s bench -- site`). Builds the site into a
temporary directory, then for each recipe page adds up the HTML and the
stylesheets, scripts and images it references (as files of the build, so
nothing is guessed). Prints one figure a line, `name: value unit`: the bytes
on disk, and the bytes sent by a server that compresses (gzip), which is what a
reader downloads. Target: under 150 KB sent per recipe page; exits non-zero
when a page is over it. (On disk the pages are over 150 KB: most of it is the
page's own highlighted code, and Furo's stylesheet.)
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from cookbook_harness.postgres import ROOT

DOCS = ROOT / "docs"
BUDGET_KB = 150.0


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


def main() -> int:
    site = Path(tempfile.mkdtemp(prefix="cookbook-bench-site-"))
    try:
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(DOCS), str(site)],
            check=True,
            capture_output=True,
        )
        over = []
        for page in sorted((site / "recipes").glob("*.html")):
            totals = weigh(page, site)
            raw = sum(r for r, _ in totals.values()) / 1024
            packed = sum(p for _, p in totals.values()) / 1024
            parts = ", ".join(f"{kind} {r / 1024:.1f}" for kind, (r, _) in sorted(totals.items()))
            name = page.relative_to(site).with_suffix("")
            print(f"page-weight-{name}: {packed:.1f} KB gzip; {raw:.1f} KB on disk ({parts})")
            if packed >= BUDGET_KB:
                over.append(str(name))
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if over:
        print(f"over the {BUDGET_KB:.0f} KB budget (gzip): {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
