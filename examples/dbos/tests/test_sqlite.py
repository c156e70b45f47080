"""DBOS on a SQLite system database: which SQLite it needs."""

import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python *argv`` in ``tmp_path``, where DBOS makes its ``dbos.sqlite``."""
    return subprocess.run(
        [sys.executable, *argv],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stdlib_sqlite_works_from_3_42(tmp_path: Path) -> None:
    result = run(tmp_path, "-m", "tests.sqlite_launch")

    assert f"SQLite {sqlite3.sqlite_version}" in result.stdout
    if sqlite3.sqlite_version_info >= (3, 42):
        assert result.returncode == 0, result.stderr
        assert "result 42" in result.stdout
    else:
        # The schema's defaults call unixepoch('subsec'), new in SQLite 3.42.
        assert result.returncode != 0
        assert "DBOS failed to launch" in result.stderr
        assert "NOT NULL constraint failed" in result.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("pysqlite3") is None, reason="needs pysqlite3-binary installed"
)
def test_engine_with_a_newer_sqlite(tmp_path: Path) -> None:
    result = run(tmp_path, str(PROJECT / "dbos_on_sqlite.py"))

    assert result.returncode == 0, result.stderr
    version, outcome = result.stdout.removeprefix("SQLite ").split(": ")
    assert tuple(int(part) for part in version.split(".")) >= (3, 42)
    assert outcome == "the workflow returned 42\n"
    assert (tmp_path / "dbos.sqlite").exists()
