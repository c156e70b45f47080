"""Nitro's engine and Django's connection reach the same database the same way."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from nitro import action
from nitro.domain.repository.sql import SQLModelRepository
from nitro.routing import get_action_metadata
from sqlalchemy import inspect, text

from tests.conftest import PROJECT_DIR
from todos.entities import Todo

pytestmark = pytest.mark.django_db

WHO_AND_HOW = (
    "SELECT current_database(), current_user, inet_server_port(), ssl"
    " FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
)


def test_nitro_engine_matches_djangos_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute(WHO_AND_HOW)
        django_side = cursor.fetchone()
    with SQLModelRepository().engine.connect() as nitro_connection:
        nitro_side = tuple(nitro_connection.execute(text(WHO_AND_HOW)).one())
    assert nitro_side == django_side
    assert nitro_side[0] == settings.DATABASES["default"]["NAME"]
    assert str(SQLModelRepository().engine.url) == "postgresql+psycopg://"


def test_migrate_created_nitros_table_beside_djangos() -> None:
    tables = inspect(SQLModelRepository().engine).get_table_names()
    assert {Todo.__tablename__, "todos_project"} <= set(tables)


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in the project, without the test session's Django or Nitro settings."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "NITRO_", "PG"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
    )


def test_nitro_db_url_is_read_once_at_import() -> None:
    late = _run(
        "import os, nitro\n"
        "os.environ['NITRO_DB_URL'] = 'postgresql+psycopg://'\n"
        "print(nitro.Entity.repository().engine.url)"
    )
    assert late.stdout == "sqlite:///nitro.db\n"
    early = _run(
        "import nitro; print(nitro.Entity.repository().engine.url)",
        NITRO_DB_URL="postgresql+psycopg://",
    )
    assert early.stdout == "postgresql+psycopg://\n"


def test_using_an_entity_before_django_starts_is_refused() -> None:
    result = _run(
        "import django, nitro\nnitro.Entity.repository()\ndjango.setup()",
        DJANGO_SETTINGS_MODULE="mysite.settings",
    )
    assert result.returncode == 1
    assert "ImproperlyConfigured: Nitro's repository was created before Django" in result.stderr


def test_nitro_ignores_string_annotations() -> None:
    @action(method="GET")
    def page(self, limit: "int" = 20) -> None: ...

    assert get_action_metadata(page).parameters["limit"]["annotation"] == "int"
