"""Settings come from the environment: checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def settings_in(env: dict[str, str], expression: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", f"from mysite import settings as s; print({expression})"],
        cwd=PROJECT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_defaults_are_safe() -> None:
    assert settings_in({}, "s.DEBUG") == "False"
    assert settings_in({}, "s.ALLOWED_HOSTS") == "['127.0.0.1', 'localhost']"


def test_debug_is_off_in_an_empty_environment() -> None:
    # No DJANGO_* and no PG* variable at all, as on a fresh server.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from mysite import settings as s; print(s.DEBUG, len(s.SECRET_KEY))",
        ],
        cwd=PROJECT,
        env={},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "50"]


def test_debug_and_hosts_from_the_environment() -> None:
    env = {"DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "example.com, www.example.com,"}
    assert settings_in(env, "s.DEBUG") == "True"
    assert settings_in(env, "s.ALLOWED_HOSTS") == "['example.com', 'www.example.com']"


def test_secret_key_from_the_environment_else_random_per_process() -> None:
    assert settings_in({"DJANGO_SECRET_KEY": "k" * 50}, "s.SECRET_KEY") == "k" * 50
    assert settings_in({}, "s.SECRET_KEY") != settings_in({}, "s.SECRET_KEY")


def test_database_name_from_libpq_environment() -> None:
    name = settings_in({"PGDATABASE": "shop"}, "s.DATABASES['default']['NAME']")
    assert name == "shop"
