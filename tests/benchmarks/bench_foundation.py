"""Figures for the foundation: docs build and cluster start-up.

Run with `make bench` (or `nox -s bench -- foundation`). Prints one figure a
line, `name: value unit`. Targets: rebuild < 2 s, each cluster < 3 s. The test
loops, the full suite among them, are bench_loops.py's.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookbook_harness.layout import ROOT
from cookbook_harness.postgres import running_servers

DOCS = ROOT / "docs"


def timed(command: list[str], **kwargs: object) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - began


def docs_figures() -> None:
    out = Path(tempfile.mkdtemp(prefix="cookbook-bench-docs-"))
    build = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q"]
    try:
        cold = timed([*build, "-E", str(DOCS), str(out)])
        page = DOCS / "recipes" / "core.md"
        page.touch()
        rebuild = timed([*build, str(DOCS), str(out)])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"docs-cold-build: {cold:.2f} s")
    print(f"docs-rebuild-one-page: {rebuild:.2f} s")


def cluster_figures(rounds: int = 3) -> None:
    starts: dict[str, list[float]] = {}
    for _ in range(rounds):
        with running_servers(port_offset=700) as servers:
            for variant, cluster in servers.clusters.items():
                starts.setdefault(variant, []).append(cluster.started_seconds)
    for variant, seconds in starts.items():
        print(f"cluster-start-{variant}: {statistics.median(seconds):.2f} s (median of {rounds})")


if __name__ == "__main__":
    docs_figures()
    cluster_figures()
