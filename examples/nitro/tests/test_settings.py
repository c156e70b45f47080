"""Settings come from the environment, with safe defaults: checked in fresh processes."""

import subprocess
import sys

from tests.conftest import PROJECT_DIR


def settings_in(env: dict[str, str], *expressions: str) -> list[str]:
    """Each expression over ``mysite.settings`` imported with nothing but ``env`` set."""
    code = "from mysite import settings as s\n" + "".join(f"print({e})\n" for e in expressions)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_debug_is_off_in_an_empty_environment() -> None:
    debug, hosts, key = settings_in({}, "s.DEBUG", "s.ALLOWED_HOSTS", "s.SECRET_KEY")
    assert debug == "False"
    assert hosts == "['127.0.0.1', 'localhost']"
    # A new random key in every process that has none in its environment.
    assert key != settings_in({}, "s.SECRET_KEY")[0]


def test_debug_hosts_and_key_from_the_environment() -> None:
    env = {
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "example.com, www.example.com,",
        "DJANGO_SECRET_KEY": "k" * 50,
    }
    assert settings_in(env, "s.DEBUG", "s.ALLOWED_HOSTS", "s.SECRET_KEY") == [
        "True",
        "['example.com', 'www.example.com']",
        "k" * 50,
    ]
    assert settings_in({"DJANGO_DEBUG": "true"}, "s.DEBUG") == ["False"]
