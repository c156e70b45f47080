"""Safe defaults: the settings, imported in fresh processes with a chosen environment."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def settings_in(env: dict[str, str], expression: str) -> str:
    """``expression`` over ``mysite.settings`` imported with exactly ``env`` as environment."""
    result = subprocess.run(
        [sys.executable, "-c", f"from mysite import settings as s; print({expression})"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_empty_environment_gives_safe_defaults() -> None:
    debug, key, hosts = settings_in({}, "s.DEBUG, s.SECRET_KEY, s.ALLOWED_HOSTS").split(" ", 2)
    assert (debug, hosts) == ("False", "['127.0.0.1', 'localhost']")
    # A new random key in every process that has none from the environment.
    assert len(key) == 50
    assert settings_in({}, "s.SECRET_KEY") != key


def test_debug_and_secret_key_from_the_environment() -> None:
    env = {"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "k" * 50}
    assert settings_in(env, "s.DEBUG, s.SECRET_KEY") == f"True {'k' * 50}"
