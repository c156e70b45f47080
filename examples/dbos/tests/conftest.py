"""Fixtures: DBOS launched fresh for each test, and real server processes."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from dbos import DBOS
from django.conf import settings
from django.db import connection, connections

from mysite.durable import launch_dbos

PROJECT = Path(__file__).resolve().parents[1]


# [docs:fixture]
@pytest.fixture
def dbos(transactional_db: None) -> Iterator[None]:
    """DBOS launched on the test database, with its system tables emptied first.

    Workflows run in DBOS's own threads and connections, outside the test's
    transaction, hence ``transactional_db``: the test database is emptied
    after each test instead of rolled back.
    """
    url = f"postgresql+psycopg:///{connection.settings_dict['NAME']}"
    DBOS.destroy()
    DBOS.reset_system_database(system_database_url=url, truncate=True)
    # Emptying the tables ends every other session on the database, Django's
    # own included: close them so that Django reconnects.
    connections.close_all()
    launch_dbos({**settings.DBOS, "system_database_url": url})
    yield
    DBOS.destroy()


# [/docs:fixture]


@pytest.fixture
def database() -> Iterator[dict[str, str]]:
    """A new, empty database for server processes; yields their environment."""
    name = f"dbos_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**os.environ, "PGDATABASE": name}
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Project:
    """The example project on disk, run with ``manage.py`` in real processes."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.servers: list[subprocess.Popen[bytes]] = []

    def manage(self, *args: str) -> str:
        """Run a management command to completion; return its combined output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    def start_server(self, log: Path, *, reload: bool = False) -> subprocess.Popen[bytes]:
        """Start ``runserver`` in the background and wait until it answers."""
        argv = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}"]
        if not reload:
            argv.append("--noreload")
        with open(log, "wb") as out:
            server = subprocess.Popen(
                argv,
                cwd=self.path,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.servers.append(server)
        wait_for(lambda: self._answers(server), f"the server logging to {log} to answer")
        return server

    def _answers(self, server: subprocess.Popen[bytes]) -> bool:
        assert server.poll() is None, f"the server exited with {server.returncode}"
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop_servers(self) -> None:
        """Stop the servers still running as Ctrl-C does, so that they exit cleanly.

        A process started with SIGINT ignored (a script's `pytest &`) passes that
        on, and its runserver ignores Ctrl-C: SIGTERM, then SIGKILL, follow.
        """
        for server in self.servers:
            for sig, grace in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                if server.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=grace)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def project(database: dict[str, str]) -> Iterator[Project]:
    """The example project itself, on a fresh database; stops its servers afterwards."""
    running = Project(PROJECT, database)
    yield running
    running.stop_servers()


@pytest.fixture
def project_copy(database: dict[str, str], tmp_path: Path) -> Iterator[Project]:
    """A copy of the example project that a test may edit, on a fresh database."""
    path = tmp_path / "project"
    shutil.copytree(PROJECT, path, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    running = Project(path, database)
    yield running
    running.stop_servers()
