"""The site's snippet status (docs/_ext) and its example downloads.

The status must show what a report says and nothing when there is none; an
archive must hold a project a reader can run, without the test run's
certificates or caches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from cookbook_harness.layout import EXAMPLES as EXAMPLES_DIR
from cookbook_harness.layout import ROOT
from cookbook_sphinx import example_archives, snippet_reports, snippet_status

EXAMPLES = example_archives.example_names()


def _report(
    django: str,
    skipped: list[dict[str, object]],
    failed: int = 0,
    outcome: str = "passed",
    failed_tests: list[dict[str, str]] | None = None,
) -> dict[str, object]:
    figures = {"blocks": 5, "included": 2, "executed": 3, "failed": failed, "skipped": skipped}
    return {
        "generated": "2026-11-22T03:09:27+00:00",
        "outcome": outcome,
        "failed_tests": failed_tests or [],
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


def test_a_failure_elsewhere_marks_every_page(tmp_path: Path) -> None:
    """A page whose own blocks all ran says so, and that its run failed: never 'Failed 0'
    on a run whose example suite failed."""
    failed = [{"test": "tests/test_examples.py::test_example_suite[secure-core]", "message": "x"}]
    report = _report("6.1.3", [], outcome="failed", failed_tests=failed)
    (tmp_path / "snippet-report-py3.12-django6.1.json").write_text(json.dumps(report))
    (cell,) = snippet_reports.load_cells(tmp_path)
    assert cell.verdict() == "FAILED (1 test)"
    line = snippet_reports.page_line(cell, "docs/recipes/core.md") or ""
    assert line.startswith("the run FAILED (1 test).")


def test_a_run_that_never_finished_says_so(tmp_path: Path) -> None:
    (tmp_path / "snippet-report-py3.12-django6.1.json").write_text(
        json.dumps({"generated": "2026-11-22T03:09:27+00:00", "outcome": "running"})
    )
    (cell,) = snippet_reports.load_cells(tmp_path)
    assert cell.verdict() == "DID NOT FINISH"


def _status_line(monkeypatch: pytest.MonkeyPatch, build: Path) -> str:
    monkeypatch.setattr(snippet_reports, "BUILD", build)
    env = SimpleNamespace(srcdir=ROOT / "docs")
    return snippet_status._status_paragraph(env, "recipes/core", "core").astext()  # type: ignore[arg-type]


def test_a_recipe_without_a_report_says_it_is_not_verified(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    line = _status_line(monkeypatch, tmp_path)
    assert line.startswith("Snippet status: not verified in this build: no test run is recorded.")
    assert "core.zip" in line


def test_a_recipe_with_a_report_says_what_ran(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "snippet-report-py3.12-django6.1.json").write_text(json.dumps(_report("6.1.3", [])))
    line = _status_line(monkeypatch, tmp_path)
    assert "not verified" not in line
    assert "Secure: 3 ran, 2 included; Insecure: 3 ran, 2 included" in line


def test_an_archive_is_made_again_only_when_its_project_changed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = tmp_path / "source" / "demo"
    project.mkdir(parents=True)
    (project / "manage.py").write_text("print('one')\n")
    archive = example_archives.build_archive("demo", tmp_path / "source", tmp_path / "out")
    made = archive.read_bytes()

    def read_again(*args: object) -> bytes:
        raise AssertionError("an unchanged project was read and compressed again")

    with monkeypatch.context() as patched:
        patched.setattr(example_archives, "archive_bytes", read_again)
        example_archives.build_archive("demo", tmp_path / "source", tmp_path / "out")
    assert archive.read_bytes() == made

    (project / "manage.py").write_text("print('two')\n")
    later = (project / "manage.py").stat().st_mtime_ns + 1_000_000_000  # saved a second later
    os.utime(project / "manage.py", ns=(later, later))
    example_archives.build_archive("demo", tmp_path / "source", tmp_path / "out")
    assert zipfile.ZipFile(archive).read("demo/manage.py") == b"print('two')\n"


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_archive_is_a_project_that_runs(example: str, tmp_path: Path) -> None:
    project = tmp_path / "source" / example
    (project / "certs").mkdir(parents=True)
    (project / "certs" / "client.key").write_text("secret")
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "x.pyc").write_bytes(b"")
    for path in example_archives.archive_files(EXAMPLES_DIR / example):
        target = project / path.relative_to(EXAMPLES_DIR / example)
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
