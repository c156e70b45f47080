"""Fixtures: Nitro's table emptied after each test, and live servers on loopback."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session", autouse=True)
def nitro_engine(django_db_setup: None) -> Iterator[None]:
    """Close Nitro's pooled connections before Django drops the test database."""
    yield
    SQLModelRepository().engine.dispose()


@pytest.fixture(autouse=True)
def empty_todo_table() -> Iterator[None]:
    """Django's test cases roll back or flush only Django's tables; empty Nitro's too."""
    yield
    with SQLModelRepository().engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {Todo.__tablename__}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(command: list[str], port: int) -> Iterator[str]:
    """Run a server process on the test database until the fixture ends."""
    env = {**os.environ, "PGDATABASE": settings.DATABASES["default"]["NAME"]}
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                httpx.get(f"{url}/api/todo/search", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.communicate()[1].decode()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None) -> Iterator[str]:
    """``uvicorn mysite.asgi:application``: Django plus the mounted FastAPI app."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "mysite.asgi:application", "--port", str(port)]
    yield from _serve(command, port)


@pytest.fixture(scope="session")
def wsgi_server(django_db_setup: None) -> Iterator[str]:
    """``manage.py runserver``, Django's WSGI development server."""
    port = _free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    yield from _serve(command, port)
