"""The test loops' figures: one page, one page in one variant, one example, the full suite.

Run with `make bench` (or `nox -s bench -- loops`; `python bench_loops.py --help`).
Each figure is the wall time of the command a writer types, ``nox -s tests -- ...``,
run with ``-R`` (the environment exists already: installing is not part of the loop).
Medians, since the machine is shared; the full suite once by default, as it takes
minutes. The targets are printed beside the figures; a noisy machine cannot fail them.

Every run takes the PostgreSQL port lock like any test session, so a bench run waits
for a test session that holds it (and says so on stderr).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time

from bench_site import children_cpu

from cookbook_harness.layout import ROOT

NOX = ROOT / ".venv" / "bin" / "nox"

# (figure, arguments after `nox -R -s tests --`, target in seconds or None)
LOOPS: list[tuple[str, list[str], float | None]] = [
    ("one page, both variants (core.md)", ["docs/recipes/core.md"], 30.0),
    ("one page, one variant (core.md, secure)", ["docs/recipes/core.md", "--variant=secure"], None),
    ("one example's suite, both variants (dbos)", ["examples/dbos"], None),
    ("full suite (make test)", [], 150.0),
]


def timed_run(arguments: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system) of one `nox -R -s tests -- arguments`,
    and pytest's summary line.

    The CPU time is what the run's processes used, waited for by their parents; the
    PostgreSQL servers, which pg_ctl leaves to init, are not in it.
    """
    command = [str(NOX), "-R", "-s", "tests"] + (["--", *arguments] if arguments else [])
    cpu_before = children_cpu()
    began = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    cpu = children_cpu() - cpu_before
    lines = [line for line in result.stdout.splitlines() if " in " in line and "==" in line]
    summary = lines[-1].strip("= ") if lines else "no summary"
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}"
        )
    return seconds, cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each short loop")
    parser.add_argument("--suite-runs", type=int, default=1, help="runs of the full suite")
    parser.add_argument("--no-suite", action="store_true", help="leave the full suite out")
    args = parser.parse_args()
    rows = []
    for name, arguments, target in LOOPS:
        full = not arguments
        if full and args.no_suite:
            continue
        runs = args.suite_runs if full else args.runs
        times = []
        cpus = []
        summary = ""
        for run in range(runs):
            seconds, cpu, summary = timed_run(arguments)
            times.append(seconds)
            cpus.append(cpu)
            print(
                f"# {name} run {run + 1}: {seconds:.1f} s, {cpu:.1f} s CPU ({summary})", flush=True
            )
        rows.append(
            (name, statistics.median(times), statistics.median(cpus), runs, target, summary)
        )
    cores = len(os.sched_getaffinity(0))
    # No run can take less wall time than its CPU time spread over every core.
    print(
        f"{'test loop (nox -R -s tests -- ...)':<48} {'wall s':>7} {'CPU s':>7} "
        f"{'CPU/' + str(cores):>7} {'runs':>5}  target"
    )
    for name, median, cpu, runs, target, summary in rows:
        verdict = ""
        if target is not None:
            verdict = f"{target:.0f} s ({'met' if median <= target else 'NOT met'})"
        print(
            f"{name:<48} {median:7.1f} {cpu:7.1f} {cpu / cores:7.1f} {runs:5d}  "
            f"{verdict}   [{summary}]"
        )


if __name__ == "__main__":
    main()
