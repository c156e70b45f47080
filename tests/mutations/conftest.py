"""The harness fails when it should: each test breaks one thing and watches the right check fail.

Each test copies the repository's pages, examples, configuration and harness to
a scratch directory, changes one thing there, and runs the narrowest check on
the copy in a pytest session of its own. That session imports the copy's
harness (it runs from the copy's tests/ folder, which Python puts first on its
path) and the copy's Sphinx extensions (PYTHONPATH), and uses the servers of
this session (``COOKBOOK_SERVERS``), so the copies run against the same
PostgreSQL clusters without starting their own.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cookbook_harness.layout import ROOT
from cookbook_harness.postgres import Servers

IGNORED = shutil.ignore_patterns(
    "_build",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".hypothesis",
    "certs",
    ".coverage*",
    "node_modules",
)


@dataclasses.dataclass
class Check:
    returncode: int
    output: str

    def assert_fails_with(self, *messages: str) -> None:
        assert self.returncode != 0, f"the check passed, but should have failed:\n{self.output}"
        for message in messages:
            assert message in self.output, f"{message!r} not in the output:\n{self.output}"


@dataclasses.dataclass
class Mutant:
    """A scratch copy of the repository with one thing changed."""

    root: Path
    servers_file: Path

    def replace(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text()
        assert text.count(old) == 1, f"{relative} must hold {old!r} exactly once"
        path.write_text(text.replace(old, new))

    def build_site(self) -> Path:
        """The copy's site, built with the copy's reports; returns its HTML folder."""
        out = self.root / "docs" / "_build" / "html"
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-b", "html", "docs", str(out)],
            cwd=self.root,
            env=self._env(),
            check=True,
            capture_output=True,
            timeout=600,
        )
        return out

    def _env(self) -> dict[str, str]:
        return {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COOKBOOK_", "PG", "PYTEST_", "COVERAGE_"))
        } | {
            "COOKBOOK_ROOT": str(self.root),
            # The copy's Sphinx extensions, not the repository's (found after sys.path).
            "PYTHONPATH": str(self.root / "docs" / "_ext"),
            "COOKBOOK_SERVERS": str(self.servers_file),
            "COOKBOOK_REPORT": str(self.root / "build" / "snippet-report-mutant.json"),
        }

    def pytest(self, *arguments: str, timeout: float = 240) -> Check:
        env = self._env()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *arguments],
            cwd=self.root / "tests",
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Check(done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="session")
def servers_file(cookbook_servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("servers") / "servers.json"
    cookbook_servers.save(path)
    return path


@pytest.fixture
def mutant(tmp_path: Path, servers_file: Path) -> Iterator[Mutant]:
    root = tmp_path / "repository"
    root.mkdir()
    for folder in ("docs", "examples", "conf", "tests"):
        shutil.copytree(ROOT / folder, root / folder, ignore=IGNORED)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    yield Mutant(root, servers_file)
