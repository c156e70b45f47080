"""Nothing a test session started outlives it, however the session ends.

Every process the harness starts, and every process those start, carries the
session's mark in its environment (``COOKBOOK_SESSION``): the pages' shells and
what their commands start, the example suites and their servers and workers.
(PostgreSQL's processes overwrite theirs with their titles: the clusters are
found by their folder instead.) When a session starts its servers it also starts this
watchdog, in a session of its own (a Ctrl-C in the terminal does not reach
it), holding the read end of a pipe whose write end only the test session
holds. The pipe closes when the test session ends, cleanly, by an exception,
or killed outright (nox sends SIGKILL to a command that outlives its
interrupt and terminate timeouts). The watchdog then stops the session's
PostgreSQL clusters (an immediate shutdown), ends every process that carries
the mark (SIGTERM, then SIGKILL two seconds later), and removes the servers'
folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

MARK = "COOKBOOK_SESSION"


def session_mark() -> str:
    """This session's mark, made (and put in this process's environment) on first use."""
    mark = os.environ.get(MARK)
    if not mark:
        mark = uuid.uuid4().hex
        os.environ[MARK] = mark
    return mark


def marked_processes(mark: str, spared: frozenset[int] = frozenset()) -> list[int]:
    """The processes whose environment carries ``mark``, but this one and ``spared``."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in spared | {os.getpid()}:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def end_processes(mark: str, spared: frozenset[int] = frozenset(), grace: float = 2.0) -> None:
    """SIGTERM to every marked process; SIGKILL, again and again, to whatever is still
    marked after ``grace`` seconds (a parent may start new children meanwhile, as
    Django's autoreloader does), for at most five seconds more."""
    pids = marked_processes(mark, spared)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        time.sleep(0.1)
        pids = marked_processes(mark, spared)
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
        pids = marked_processes(mark, spared)


def stop_clusters(workdir: Path) -> None:
    """An immediate shutdown of every cluster under ``workdir`` that is still running."""
    for pid_file in workdir.glob("*/postmaster.pid"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGQUIT)
    deadline = time.monotonic() + 5
    while any(workdir.glob("*/postmaster.pid")) and time.monotonic() < deadline:
        time.sleep(0.1)


def clean_up(mark: str, workdir: Path, session: int) -> None:
    """Stop the clusters and every marked process but the test session itself, which
    may still be alive (its servers' block ended normally) and ends on its own."""
    stop_clusters(workdir)
    end_processes(mark, frozenset({session}))
    shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def watching(workdir: Path) -> Iterator[None]:
    """Start the watchdog for this session's servers under ``workdir``; yield; let it go.

    Leaving the block closes the pipe; the watchdog then sweeps what is left.
    """
    mark = session_mark()
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "cookbook_harness.watchdog", mark, str(workdir), str(os.getpid())],
        stdin=subprocess.PIPE,
        start_new_session=True,
        # Not marked itself, so that it survives its own sweep.
        env={key: value for key, value in os.environ.items() if key != MARK},
    )
    try:
        yield
    finally:
        assert watchdog.stdin is not None
        # The watchdog removes the servers' folder (tens of megabytes) on its own,
        # after this process is gone.
        watchdog.stdin.close()


def end_with_parent(parent: int) -> None:
    """Get SIGTERM when the process that started this one ends (Linux's parent-death
    signal), so that a runner killed outright (nox on a SIGTERM of its own) does
    not leave this session running on its own; elsewhere, nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0) != 0:
        return
    # The parent may have ended before the call: then it is too late for the signal.
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    mark, workdir, session = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    # Blocks until the test session's end of the pipe closes, however it ends.
    sys.stdin.buffer.read()
    clean_up(mark, workdir, session)


if __name__ == "__main__":
    main()
