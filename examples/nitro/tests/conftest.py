"""Fixtures: Nitro's table emptied after each test, and live servers on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from nitro.domain.repository.sql import SQLModelRepository
from sqlalchemy import text

from todos.entities import Todo

PROJECT_DIR = Path(__file__).resolve().parents[1]
# A server that does not answer by then fails its test, with its output, within
# a minute. Under coverage on a loaded machine uvicorn took up to 48 s to start.
START_SECONDS = 55.0
# How long a server is given after each of SIGINT, SIGTERM and SIGKILL; one that
# never started has nothing to shut down cleanly, and gets a second each.
STOP_SECONDS = 5.0
FAILED_STOP_SECONDS = 1.0


@pytest.fixture(scope="session", autouse=True)
def nitro_engine(django_db_setup: None) -> Iterator[None]:
    """Close Nitro's pooled connections before Django drops the test database."""
    yield
    SQLModelRepository().engine.dispose()


@pytest.fixture(autouse=True)
def empty_todo_table(request: pytest.FixtureRequest) -> Iterator[None]:
    """Django's test cases roll back or flush only Django's tables; empty Nitro's too.

    Only after a database test: a session without one has no test database,
    and Nitro's engine would reach the real one.
    """
    yield
    if request.node.get_closest_marker("django_db"):
        with SQLModelRepository().engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {Todo.__tablename__}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen[bytes], seconds: float = STOP_SECONDS) -> None:
    """End a process: SIGINT first (a clean shutdown), then SIGTERM, then SIGKILL.

    A process started with SIGINT ignored (``nohup``, many CI wrappers) passes
    that on: ``runserver`` then ignores SIGINT, and only SIGTERM stops it.
    """
    for send in (lambda: process.send_signal(signal.SIGINT), process.terminate, process.kill):
        if process.poll() is not None:
            return
        send()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=seconds)
    if process.poll() is None:
        raise RuntimeError(f"process {process.pid} survived SIGKILL")


@contextlib.contextmanager
def serve(
    command: list[str],
    port: int,
    log: Path,
    start_seconds: float = START_SECONDS,
) -> Iterator[str]:
    """Run a server process on the test database; yield its URL once it answers.

    Its output goes to ``log``, not to a pipe: nobody reads a pipe while the
    server runs (a full one would block it), and uvicorn never closes its
    stderr, so reading one to its end after a failed start would never return.
    """
    env = {**os.environ, "PGDATABASE": settings.DATABASES["default"]["NAME"]}
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                httpx.get(f"{url}/api/todo/search", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    problem = f"exited with status {process.returncode}"
                elif time.monotonic() > deadline:
                    problem = f"did not answer within {start_seconds:.0f} s"
                else:
                    time.sleep(0.1)
                    continue
            stop(process, FAILED_STOP_SECONDS)
            pytest.fail(f"{' '.join(command)} {problem}:\n{log.read_text()}", pytrace=False)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``uvicorn mysite.asgi:application``: Django plus the mounted FastAPI app."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "mysite.asgi:application", "--port", str(port)]
    with serve(command, port, tmp_path_factory.mktemp("uvicorn") / "output.log") as url:
        yield url


@pytest.fixture(scope="session")
def wsgi_server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``manage.py runserver``, Django's WSGI development server."""
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with serve(command, port, tmp_path_factory.mktemp("runserver") / "output.log") as url:
        yield url
