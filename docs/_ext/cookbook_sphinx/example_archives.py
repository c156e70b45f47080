"""Each example project as a zip file, made when the docs are built.

The archive holds ``examples/<name>/`` as a reader needs it (the project, its
requirements, README and tests), under a top folder ``<name>/``, without
caches, compiled files or the test run's certificates. Entries carry a fixed
date, so an unchanged project gives the same bytes and the file is not
rewritten (Sphinx then has no reason to rebuild the page). A project whose
files have the same names, sizes and modification times as when its archive
was made is not read again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cookbook_harness.layout import BUILD, EXAMPLES

ARCHIVES = BUILD / "example-archives"
EXCLUDED_DIRS = {"__pycache__", ".pytest_cache", ".hypothesis", "certs", ".venv", "node_modules"}
EXCLUDED_SUFFIXES = {".pyc", ".db", ".sqlite3", ".log"}
FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def archive_files(project: Path) -> list[Path]:
    """The files of a project that go into its archive, sorted."""
    found = []
    for folder, dirs, files in os.walk(project):
        # Pruned in place: os.walk does not descend into them (caches, virtualenvs).
        dirs[:] = [name for name in dirs if name not in EXCLUDED_DIRS]
        found.extend(
            Path(folder, name)
            for name in files
            if os.path.splitext(name)[1] not in EXCLUDED_SUFFIXES
            and not name.startswith(".coverage")
        )
    return sorted(found)


def archive_bytes(project: Path, files: list[Path] | None = None) -> bytes:
    # Imported here: most builds find every archive up to date and never compress.
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in archive_files(project) if files is None else files:
            info = zipfile.ZipInfo(f"{project.name}/{path.relative_to(project)}", FIXED_DATE)
            info.external_attr = (path.stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def fingerprint(project: Path, files: list[Path]) -> list[list[object]]:
    """Each file's path, size, mode and modification time: what would change its archive."""
    found = []
    for path in files:
        status = os.stat(path)
        name = os.path.relpath(path, project).replace(os.sep, "/")
        found.append([name, status.st_size, status.st_mode, status.st_mtime_ns])
    return found


def build_archive(name: str, examples: Path = EXAMPLES, out: Path = ARCHIVES) -> Path:
    """Write ``<out>/<name>.zip`` unless it already holds this project.

    ``<out>/<name>.files.json`` records the fingerprint of the files the archive
    was made from; while it matches, the project is not read and compressed again.
    """
    project = examples / name
    target = out / f"{name}.zip"
    record = out / f"{name}.files.json"
    files = archive_files(project)
    current = fingerprint(project, files)
    if target.exists() and record.exists():
        try:
            if json.loads(record.read_text(encoding="utf-8")) == current:
                return target
        except ValueError:
            pass  # a record cut short by a killed build: make the archive again
    data = archive_bytes(project, files)
    out.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
    record.write_text(json.dumps(current), encoding="utf-8")
    return target


def example_names(examples: Path = EXAMPLES) -> list[str]:
    """The example projects: each folder of examples/ with a manage.py."""
    return sorted(p.name for p in examples.iterdir() if (p / "manage.py").exists())


def build_all() -> dict[str, Path]:
    """Every example project's archive, by project name."""
    return {name: build_archive(name) for name in example_names()}
