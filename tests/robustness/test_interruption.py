"""An interrupted or killed test session leaves nothing running.

Each test starts a test session of its own (on servers moved off the pages'
ports, with an output folder of its own), lets it start its PostgreSQL clusters
and the DBOS example's suite (which starts development servers of its own),
then interrupts it the way a terminal, nox or a CI runner would, and measures
how long it takes until no process of that session is left. The session's
processes are found by the mark every one of them carries (watchdog.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from cookbook_harness import postgres, watchdog
from cookbook_harness.layout import ROOT

SUITE = "tests/test_examples.py::test_example_suite[insecure-dbos]"
# Ctrl-C in a terminal, nox or a CI runner cancelling, and nox's last resort, all
# sent to pytest; and SIGTERM sent to the process that started pytest alone (as to
# nox, or make), which ends at once and does not pass it on.
CASES = [
    ("pytest", signal.SIGINT),
    ("pytest", signal.SIGTERM),
    ("pytest", signal.SIGKILL),
    ("parent", signal.SIGTERM),
]
# The parent: a process that runs its arguments and ends by the default action of
# a SIGTERM, as nox and make do.
PARENT = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def free_offset() -> int:
    return next(
        offset
        for offset in range(5000, 6000, 11)
        if not any(
            postgres.port_in_use(postgres.conf_port(v) + offset) for v in ("secure", "insecure")
        )
    )


def command_lines(mark: str) -> list[str]:
    lines = []
    for pid in watchdog.marked_processes(mark):
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return lines


@pytest.mark.parametrize(
    ("target", "sig"), CASES, ids=[f"{sig.name}-to-{target}" for target, sig in CASES]
)
def test_nothing_outlives_an_interrupted_session(
    target: str, sig: signal.Signals, tmp_path: Path
) -> None:
    mark = uuid.uuid4().hex
    offset = free_offset()
    ports = [postgres.conf_port(variant) + offset for variant in ("secure", "insecure")]
    env = os.environ | {
        watchdog.MARK: mark,
        "COOKBOOK_PORT_OFFSET": str(offset),
        "COOKBOOK_BUILD": str(tmp_path / "build"),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", SUITE]
    if target == "parent":
        command = [sys.executable, "-c", PARENT, *command]
    session = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        # Wait until the suite has started development servers of its own.
        while not any("runserver" in line for line in command_lines(mark)):
            assert session.poll() is None, session.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, command_lines(mark)
            time.sleep(0.2)
        assert all(postgres.port_in_use(port) for port in ports), "the servers are not up"
        interrupted = time.monotonic()
        os.kill(session.pid, sig)
        # PostgreSQL rewrites its processes' environment for their titles, so the
        # servers are found by their ports.
        while watchdog.marked_processes(mark) or any(postgres.port_in_use(p) for p in ports):
            elapsed = time.monotonic() - interrupted
            left = command_lines(mark) + [
                f"a server on port {p}" for p in ports if postgres.port_in_use(p)
            ]
            assert elapsed < 10, f"still running {elapsed:.1f} s after {sig.name}:\n" + "\n".join(
                left
            )
            time.sleep(0.1)
        elapsed = time.monotonic() - interrupted
        print(f"{sig.name} to {target}: nothing left after {elapsed:.1f} s")
    finally:
        # The whole process group: with the parent gone, its pytest may be left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(session.pid, signal.SIGKILL)
        session.wait()
