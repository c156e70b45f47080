"""What the benchmarks (tests/benchmarks) share: measuring inside an example project.

A benchmark's measuring half imports the example project's modules, as the
project's own ``manage.py`` does: it runs in a process started in the
project's folder with ``python -c``, which puts that folder first on Python's
path, and runs the benchmark's file there under the name ``__measure__``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .layout import EXAMPLES

RUN_AS_MEASURE = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__measure__')"


def measure_in_example(
    script: str, example: str, *arguments: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` as ``__measure__`` in ``examples/<example>``; its arguments are
    ``sys.argv[2:]`` there. Output goes to this process's."""
    return subprocess.run(
        [sys.executable, "-c", RUN_AS_MEASURE, str(Path(script).resolve()), *arguments],
        cwd=EXAMPLES / example,
        env=env,
        text=True,
    )
