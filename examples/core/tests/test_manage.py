"""manage.py is the entry point: it runs commands with the project's settings."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_manage_py_runs_a_command_with_the_project_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_manage_py_respects_an_explicit_settings_module() -> None:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "mysite.no_such_settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "No module named 'mysite.no_such_settings'" in result.stderr
