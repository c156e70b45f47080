"""Settings: safe defaults, SERIALIZABLE, TLS from the environment, the engine switch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

PROJECT = Path(__file__).resolve().parents[1]


def settings_in(env: dict[str, str], expression: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"from mysite import settings as s; print({expression})"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_debug_is_off_in_an_empty_environment():
    # No DJANGO_* and no PG* variable at all, as on a fresh server.
    assert settings_in({}, "s.DEBUG") == "False"
    assert settings_in({}, "s.ALLOWED_HOSTS") == "['127.0.0.1', 'localhost']"


def test_debug_secret_key_and_hosts_from_the_environment():
    env = {
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "bank.example.com",
    }
    assert settings_in(env, "s.DEBUG, s.SECRET_KEY, s.ALLOWED_HOSTS") == (
        f"True {'k' * 50} ['bank.example.com']"
    )


def test_without_a_secret_key_each_process_makes_a_random_one():
    first, second = settings_in({}, "s.SECRET_KEY"), settings_in({}, "s.SECRET_KEY")
    assert len(first) == 50
    assert first != second


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
