"""Each example project as a zip file, made when the docs are built.

The archive holds ``examples/<name>/`` as a reader needs it (the project, its
requirements, README and tests), under a top folder ``<name>/``, without
caches, compiled files or the test run's certificates. Entries carry a fixed
date, so an unchanged project gives the same bytes and the file is not
rewritten (Sphinx then has no reason to rebuild the page).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARCHIVES = ROOT / "build" / "example-archives"
EXCLUDED_DIRS = {"__pycache__", ".pytest_cache", "certs", ".venv", "node_modules"}
EXCLUDED_SUFFIXES = {".pyc", ".db", ".sqlite3", ".log"}
FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def archive_files(project: Path) -> list[Path]:
    """The files of a project that go into its archive, sorted."""
    return sorted(
        path
        for path in project.rglob("*")
        if path.is_file()
        and not EXCLUDED_DIRS.intersection(path.relative_to(project).parts)
        and path.suffix not in EXCLUDED_SUFFIXES
        and not path.name.startswith(".coverage")
    )


def archive_bytes(project: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in archive_files(project):
            info = zipfile.ZipInfo(f"{project.name}/{path.relative_to(project)}", FIXED_DATE)
            info.external_attr = (path.stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def build_archive(name: str, examples: Path = EXAMPLES, out: Path = ARCHIVES) -> Path:
    """Write ``<out>/<name>.zip`` unless it already holds exactly these bytes."""
    data = archive_bytes(examples / name)
    target = out / f"{name}.zip"
    if not target.exists() or target.read_bytes() != data:
        out.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return target


def build_all() -> dict[str, Path]:
    """Every example project's archive, by project name."""
    names = sorted(p.name for p in EXAMPLES.iterdir() if (p / "manage.py").exists())
    return {name: build_archive(name) for name in names}
