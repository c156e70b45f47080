"""Fixtures: DBOS launched fresh for each test, and the project in real processes."""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dbos import DBOS
from django.conf import settings
from django.db import connection, connections

from mysite.durable import launch_dbos
from tests.servers import PROJECT, Project


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


@pytest.fixture
def database() -> Iterator[dict[str, str]]:
    """A new, empty database for server processes; yields their environment."""
    name = f"dbos_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**os.environ, "PGDATABASE": name}
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        # End what the test's processes left connected (they log in as this role).
        # No DROP ... WITH (FORCE): it fails when an autovacuum worker, which runs
        # as no role, is in the database; a plain DROP stops that worker itself.
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


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
