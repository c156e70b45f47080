"""The project's sessions: docs, tests, matrix, cockroachdb, lint, bench, browser.

`make html` and `make test` (README) bootstrap nox and call these.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox
from packaging.requirements import Requirement

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
BUILD = ROOT / "build"
# The version matrix: every Python with every Django (pyproject.toml's
# [tool.cookbook.matrix]). django-cockroachdb's major.minor must equal Django's,
# so it is pinned with it.
MATRIX = PYPROJECT["tool"]["cookbook"]["matrix"]
MATRIX_PYTHONS = MATRIX["pythons"]
DJANGOS = MATRIX["djangos"]
PYTHON = MATRIX["default"]["python"]
DEFAULT_DJANGO = MATRIX["default"]["django"]

nox.options.default_venv_backend = "uv|virtualenv"
# uv leaves packages uncompiled, and where PYTHONDONTWRITEBYTECODE is set no
# bytecode is ever cached: every process would compile Django, Sphinx and the
# rest from source again (about 1.8 s of a 2.7 s docs build). Compile at install.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["docs", "tests", "lint"]
nox.options.reuse_venv = "yes"


def install_group(session: nox.Session, group: str) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, group))


def install_harness(session: nox.Session) -> None:
    """The repository's package, the test harness, editable (its import hook needs editables)."""
    session.install("editables", "-e", ".")


def install_tests(session: nox.Session, django: str) -> None:
    """The test group, with Django and django-cockroachdb at the cell's major.minor."""
    pinned = {
        "django": f"django=={django}.*",
        "django-cockroachdb": f"django-cockroachdb=={django}.*",
    }
    requirements = [
        pinned.get(Requirement(spec).name.lower(), spec)
        for spec in nox.project.dependency_groups(PYPROJECT, "test")
    ]
    session.install(*requirements)
    install_harness(session)
    # The pages run pip in this environment; a page that asks for another Django
    # must fail there, not swap the cell's Django. pip reads <venv>/pip.conf.
    venv = Path(session.virtualenv.location)
    (venv / "constraints.txt").write_text(f"django=={django}.*\n")
    (venv / "pip.conf").write_text(f"[install]\nconstraint = {venv / 'constraints.txt'}\n")


def cell_name(session: nox.Session, django: str) -> str:
    """The cell's name (docs/_ext/snippet_reports.py reads reports by it)."""
    return f"py{session.python}-django{django}"


def run_suite(
    session: nox.Session, cell: str, env: dict[str, str], paths: tuple[str, ...] = ()
) -> None:
    """Run pytest (on ``paths``, default: the testpaths).

    A complete run writes the cell's snippet report itself, whatever its outcome
    (it says "running" until it ends, so a killed run never looks finished); a
    run narrowed by posargs writes build/snippet-report.json, which the site
    does not show.
    """
    env = env | {"COOKBOOK_CELL": cell}
    if not session.posargs:
        env["COOKBOOK_REPORT"] = str(BUILD / f"snippet-report-{cell}.json")
    pytest(session, *(session.posargs or paths), env=env)


def pytest(session: nox.Session, *arguments: str, env: dict[str, str] | None = None) -> None:
    """pytest, given the time to stop its servers and processes on Ctrl-C or SIGTERM.

    nox's defaults (0.3 s after SIGINT, then SIGTERM, then SIGKILL 0.2 s later)
    would kill it in the middle of its clean-up; its watchdog would still stop
    what it left, but later.
    """
    session.run(
        "python", "-m", "pytest", *arguments, env=env, interrupt_timeout=8, terminate_timeout=2
    )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html; warnings are errors."""
    install_group(session, "docs")
    install_harness(session)
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
    """Run every test: harness, pages (both variants), example projects, accounting,
    and the coverage of the lines and branches the pages include, per variant.

    The default cell of the version matrix.
    """
    install_tests(session, DEFAULT_DJANGO)
    run_suite(session, cell_name(session, DEFAULT_DJANGO), {})


@nox.session(python=PYTHON)
def mutations(session: nox.Session) -> None:
    """Break one thing at a time in a copy of the repository; the right check must fail.

    Pages, examples and the harness are copied and changed in scratch folders
    (tests/mutations); the copies run against this session's servers.
    """
    install_tests(session, DEFAULT_DJANGO)
    pytest(session, "tests/mutations", *session.posargs)


@nox.session(python=PYTHON)
def robustness(session: nox.Session) -> None:
    """Interrupted and killed test sessions leave nothing running (tests/robustness)."""
    install_tests(session, DEFAULT_DJANGO)
    pytest(session, "tests/robustness", *session.posargs)


@nox.session(python=MATRIX_PYTHONS)
@nox.parametrize("django", [nox.param(v, id=f"django{v}") for v in DJANGOS])
def matrix(session: nox.Session, django: str) -> None:
    """One cell of the version matrix (`nox -s matrix` runs them all)."""
    install_tests(session, django)
    run_suite(session, cell_name(session, django), {})


@nox.session(python=PYTHON)
def cockroachdb(session: nox.Session) -> None:
    """The CockroachDB recipe against real CockroachDB nodes, Secure and Insecure.

    Needs a ``cockroach`` binary (24.3 or newer): ``$COOKBOOK_COCKROACH`` or the
    one on PATH. The harness starts a single-node cluster per variant (see
    tests/cookbook_harness/cockroach.py) and the page's blocks that need
    CockroachDB run, instead of those that point the project at PostgreSQL.
    """
    binary = os.environ.get("COOKBOOK_COCKROACH") or shutil.which("cockroach")
    if not binary:
        session.skip(
            "no cockroach binary: set COOKBOOK_COCKROACH=/path/to/cockroach or put "
            "cockroach on PATH (https://www.cockroachlabs.com/docs/stable/install-cockroachdb)"
        )
    install_tests(session, DEFAULT_DJANGO)
    paths = ("docs/recipes/cockroachdb.md", "tests/test_cockroach.py")
    run_suite(session, "cockroachdb", {"COOKBOOK_COCKROACH_RUN": "1"}, paths)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, lint and format, over everything that is Python."""
    install_group(session, "lint")
    paths = ["examples", "tests", "docs/conf.py", "docs/_ext", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


# axe-core, the accessibility engine the browser tests run in each page. npm installs
# it into build/ (not committed); the pin makes every run judge by the same rules.
AXE_CORE = "4.14.1"
AXE_DIR = ROOT / "build" / "axe"


def install_axe(session: nox.Session) -> Path:
    """axe-core's browser bundle, installed with npm unless that version is there."""
    package = AXE_DIR / "node_modules" / "axe-core"
    manifest = package / "package.json"
    if not manifest.exists() or f'"version": "{AXE_CORE}"' not in manifest.read_text():
        options = ["--prefix", str(AXE_DIR), "--no-save", "--no-package-lock", "--no-audit"]
        session.run("npm", "install", *options, f"axe-core@{AXE_CORE}", external=True)
    return package / "axe.min.js"


@nox.session(python=PYTHON, requires=["docs"])
def browser(session: nox.Session) -> None:
    """The built site in Chromium: tabs, copy buttons, search, requests, axe; HTML validity."""
    install_group(session, "browser")
    axe = install_axe(session)
    env = {"AXE_CORE_JS": str(axe)}
    pytest(session, "tests/browser", *session.posargs, env=env)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print the speed figures: docs build, cluster start, suite, and each recipe's."""
    install_group(session, "test")
    install_harness(session)
    for script in sorted((ROOT / "tests" / "benchmarks").glob("bench_*.py")):
        if session.posargs and script.stem.removeprefix("bench_") not in session.posargs:
            continue
        session.log(f"--- {script.stem}")
        session.run("python", str(script))
