"""The site's snippet status (docs/_ext) and its example downloads.

The status must show what a report says and nothing when there is none; an
archive must hold a project a reader can run, without the test run's
certificates or caches.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cookbook_harness.layout import ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import example_archives  # noqa: E402
import snippet_reports  # noqa: E402

EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "manage.py").exists())


def _report(django: str, skipped: list[dict[str, object]], failed: int = 0) -> dict[str, object]:
    figures = {"blocks": 5, "included": 2, "executed": 3, "failed": failed, "skipped": skipped}
    return {
        "generated": "2026-11-22T03:09:27+00:00",
        "python": "3.12.1",
        "django": django,
        "servers": {"postgresql": "15.18", "tls": True},
        "pages": {"docs/recipes/core.md": {"secure": figures, "insecure": figures}},
    }


def test_cells_are_read_from_the_reports_default_first(tmp_path: Path) -> None:
    skip = {"line": 9, "reason": "django.tasks is new in Django 6.0"}
    for cell, report in {
        "py3.12-django5.2": _report("5.2.9", [skip]),
        "py3.12-django6.1": _report("6.1.3", []),
    }.items():
        (tmp_path / f"snippet-report-{cell}.json").write_text(json.dumps(report))
    (tmp_path / "snippet-report-py3.13-django6.1.json").write_text('{"cut short')
    cells = snippet_reports.load_cells(tmp_path)
    assert [cell.name for cell in cells] == ["py3.12-django6.1", "py3.12-django5.2"]
    main, older = cells
    assert main.database() == "PostgreSQL 15.18 with TLS"
    assert older.totals() == {"executed": 6, "skipped": 2, "failed": 0, "included": 4}
    assert snippet_reports.page_line(older, "docs/recipes/core.md") == (
        "Secure: 3 ran, 2 included, 1 skipped; Insecure: 3 ran, 2 included, 1 skipped"
    )
    assert snippet_reports.page_line(main, "docs/recipes/other.md") is None


def test_no_report_means_no_cells(tmp_path: Path) -> None:
    assert snippet_reports.load_cells(tmp_path) == []
    assert snippet_reports.main_cell([]) is None


def test_a_failure_is_shown(tmp_path: Path) -> None:
    (tmp_path / "snippet-report-py3.12-django6.1.json").write_text(
        json.dumps(_report("6.1.3", [], failed=1))
    )
    (cell,) = snippet_reports.load_cells(tmp_path)
    assert "1 FAILED" in (snippet_reports.page_line(cell, "docs/recipes/core.md") or "")


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_archive_is_a_project_that_runs(example: str, tmp_path: Path) -> None:
    project = tmp_path / "source" / example
    (project / "certs").mkdir(parents=True)
    (project / "certs" / "client.key").write_text("secret")
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "x.pyc").write_bytes(b"")
    for path in example_archives.archive_files(ROOT / "examples" / example):
        target = project / path.relative_to(ROOT / "examples" / example)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    archive = example_archives.build_archive(example, tmp_path / "source", tmp_path / "out")
    names = zipfile.ZipFile(archive).namelist()
    assert not [n for n in names if "certs/" in n or "__pycache__" in n], names
    for needed in ("manage.py", "requirements.txt", "pytest.ini"):
        assert f"{example}/{needed}" in names
    assert any(n.startswith(f"{example}/tests/test_") for n in names)
    # The same project gives the same bytes: the file is not rewritten.
    before = archive.stat().st_mtime_ns
    example_archives.build_archive(example, tmp_path / "source", tmp_path / "out")
    assert archive.stat().st_mtime_ns == before

    zipfile.ZipFile(archive).extractall(tmp_path / "unpacked")
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=tmp_path / "unpacked" / example,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PGDATABASE": "cookbook"},
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
