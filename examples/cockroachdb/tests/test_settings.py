"""The DATABASES setting: SERIALIZABLE, TLS from the environment, the engine switch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_transactions_are_serializable():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("serializable",)


@pytest.mark.django_db
def test_tls_is_used_exactly_when_the_environment_asks_for_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        (ssl,) = cursor.fetchone()
    assert ssl is (os.environ.get("PGSSLMODE") in {"require", "verify-ca", "verify-full"})


@pytest.mark.django_db
def test_django_db_engine_selects_the_cockroachdb_backend():
    env = {**os.environ, "DJANGO_DB_ENGINE": "django_cockroachdb"}
    env["PGDATABASE"] = connection.settings_dict["NAME"]
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    # The backend imported (its Django version check passed) and refused the
    # server: this is PostgreSQL, not CockroachDB.
    assert result.returncode != 0
    assert "Unable to determine CockroachDB version from version string 'PostgreSQL" in (
        result.stderr
    )
