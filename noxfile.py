"""The project's sessions: docs, tests, lint, bench.

`make html` and `make test` (README) bootstrap nox and call these.
"""

from __future__ import annotations

from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
COVERAGE_DATA = ROOT / "build" / "coverage" / ".coverage"
PYTHON = "3.12"

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["docs", "tests", "lint"]
nox.options.reuse_venv = "yes"


def install_group(session: nox.Session, group: str) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html; warnings are errors."""
    install_group(session, "docs")
    session.run(
        "sphinx-build",
        "-M",
        "html",
        "docs",
        "docs/_build",
        "-W",
        "--keep-going",
        "-n",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run every test: harness, pages (both variants), example projects, accounting."""
    install_group(session, "test")
    for old in COVERAGE_DATA.parent.glob(".coverage*"):
        old.unlink()
    env = {"COOKBOOK_COVERAGE": "1", "COVERAGE_FILE": str(COVERAGE_DATA)}
    session.run("python", "-m", "pytest", *session.posargs, env=env)
    if session.posargs:
        return  # a partial run cannot judge the coverage of every page
    session.run("python", "-m", "coverage", "combine", "--quiet", env=env)
    session.run(
        "python",
        "-m",
        "cookbook_harness",
        "included-coverage",
        str(COVERAGE_DATA),
        env={"PYTHONPATH": str(ROOT / "tests")},
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, lint and format, over everything that is Python."""
    install_group(session, "lint")
    paths = ["examples", "tests", "docs/conf.py", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print the speed figures: docs build, cluster start, suite, and each recipe's."""
    install_group(session, "test")
    env = {"PYTHONPATH": str(ROOT / "tests")}
    for script in sorted((ROOT / "tests" / "benchmarks").glob("bench_*.py")):
        if session.posargs and script.stem.removeprefix("bench_") not in session.posargs:
            continue
        session.log(f"--- {script.stem}")
        session.run("python", str(script), env=env)
