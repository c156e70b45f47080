"""The server helpers of conftest.py are bounded: no test waits forever on a server."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAILED_STOP_SECONDS, free_port, serve, stop

# Ignores SIGINT and SIGTERM, as a server started with SIGINT ignored and stuck
# in its shutdown would; writes a line once it is running.
STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('running', flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_server_that_exits_fails_its_test_with_its_output(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; sys.exit('no settings module named mysite')"]
    with pytest.raises(pytest.fail.Exception) as failed, serve(command, 1, tmp_path / "log"):
        pass
    assert "exited with status 1" in str(failed.value)
    assert "no settings module named mysite" in str(failed.value)


def test_a_server_that_never_answers_fails_its_test_in_time(tmp_path: Path) -> None:
    command = [sys.executable, "-c", STUBBORN]
    started = time.monotonic()
    with (
        pytest.raises(pytest.fail.Exception) as failed,
        serve(command, free_port(), tmp_path / "log", start_seconds=1),
    ):
        pass
    # 1 s to answer, then SIGINT and SIGTERM are ignored for a second each.
    assert time.monotonic() - started < 1 + 2 * FAILED_STOP_SECONDS + 3
    assert "did not answer within 1 s" in str(failed.value)
    assert "running" in str(failed.value)


def test_stop_falls_back_to_sigterm_and_sigkill() -> None:
    process = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"running\n"
    started = time.monotonic()
    stop(process, seconds=0.5)
    assert process.returncode == -9
    assert time.monotonic() - started < 3
