"""The example project run in real processes: ``manage.py`` commands, ``runserver``
servers, and requests to them over HTTP."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parents[1]


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
                # A group of its own, to stop it with what it started (not a session:
                # on Linux that would also give it a CPU share of its own).
                process_group=0,
            )
        self.servers.append(server)
        try:
            wait_for(lambda: self._answers(server), f"the server logging to {log} to answer")
        except AssertionError as failed:
            raise AssertionError(f"{failed}; it wrote:\n{log.read_text()}") from None
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


# A bound, so that a server that does not start fails its test within a minute,
# not a speed target: on a loaded 2-core machine a server with the autoreloader
# took more than 30 s to answer.
WAIT_SECONDS = 55.0


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def request(url: str, body: object = None, **headers: str) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def query(env: dict[str, str], sql: str) -> list[tuple]:
    with psycopg.connect(dbname=env["PGDATABASE"]) as conn:
        return conn.execute(sql).fetchall()


def has_dbos_schema(env: dict[str, str]) -> bool:
    return bool(query(env, "SELECT 1 FROM pg_namespace WHERE nspname = 'dbos'"))


def email_counts(env: dict[str, str], workflow_id: str) -> dict[str, int]:
    rows = query(
        env,
        "SELECT kind, count(*) FROM onboarding_email "
        f"WHERE workflow_id = '{workflow_id}' GROUP BY kind",
    )
    return dict(rows)


def workflow_status(project: Project, workflow_id: str) -> dict:
    status, body = request(f"{project.url}/workflows/{workflow_id}/")
    assert status == 200, body
    return body


def start_onboarding(project: Project, key: str, follow_up_after: float) -> None:
    status, body = request(
        f"{project.url}/signups/background/",
        {"email": "ada@example.com", "follow_up_after": follow_up_after},
        **{"Idempotency-Key": key},
    )
    assert status == 202, body


def kill_between_steps(project: Project, server: subprocess.Popen[bytes], key: str) -> None:
    """Wait until the welcome step is recorded, then SIGKILL the server."""
    wait_for(
        lambda: "DBOS.sleep" in workflow_status(project, key)["steps"],
        "the workflow to reach its timer",
    )
    assert email_counts(project.env, key) == {"welcome": 1}
    os.kill(server.pid, signal.SIGKILL)
    assert server.wait(timeout=10) == -signal.SIGKILL
