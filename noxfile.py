"""The project's sessions: docs, serve, tests, matrix, cockroachdb, lint, bench, browser.

`make html` and `make test` (README) bootstrap nox and call these.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent


def _end_with_parent() -> None:
    """nox gets SIGTERM when what started it ends (make, killed by a SIGTERM of its
    own, does not pass it on), and ends; its pytest then ends the same way and
    stops what it started. The harness's watchdog module does it; it needs only the
    standard library, so it is read from its file (nox's own environment has no harness).
    """
    parent = os.getppid()
    path = ROOT / "tests" / "cookbook_harness" / "watchdog.py"
    spec = importlib.util.spec_from_file_location("cookbook_watchdog", path)
    assert spec is not None and spec.loader is not None
    watchdog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(watchdog)
    watchdog.end_with_parent(parent)


_end_with_parent()
PYPROJECT = nox.project.load_toml("pyproject.toml")
BUILD = ROOT / "build"
# The version matrix: every Python with every Django (pyproject.toml's
# [tool.cookbook.matrix]). django-cockroachdb's major.minor must equal Django's,
# so a cell changes both (see install_tests).
MATRIX = PYPROJECT["tool"]["cookbook"]["matrix"]
MATRIX_PYTHONS = MATRIX["pythons"]
DJANGOS = MATRIX["djangos"]
PYTHON = MATRIX["default"]["python"]
DEFAULT_DJANGO = MATRIX["default"]["django"]

# uv makes the environments and exports uv.lock's pins for them (see locked_requirements).
nox.options.default_venv_backend = "uv"
# uv leaves packages uncompiled, and where PYTHONDONTWRITEBYTECODE is set no
# bytecode is ever cached: every process would compile Django, Sphinx and the
# rest from source again (about 1.8 s of a 2.7 s docs build). Compile at install.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["docs", "tests", "lint"]
nox.options.reuse_venv = "yes"


# Django and its CockroachDB backend: the two packages a cell of the version matrix changes.
DJANGO_PAIR = ("django", "django-cockroachdb")


def locked_requirements(session: nox.Session, group: str, *, without: tuple[str, ...] = ()) -> Path:
    """uv.lock's pins for ``group``, less the packages ``without``, as a requirements file.

    uv.lock pins every dependency group of pyproject.toml, for every Python the matrix
    runs. ``uv export --locked`` writes a group's pins with their hashes, and stops when
    pyproject.toml changed and ``uv lock`` was not run; ``uv pip install -r`` then installs
    exactly those versions. The project itself is not among them (see install_project).
    """
    # Beside the environment, not in session.create_tmp(), which would set TMPDIR for
    # every command of the session (the harness's lock file and servers live in TMPDIR).
    target = Path(session.virtualenv.location) / f"locked-{group}.txt"
    session.run_install(
        "uv",
        "export",
        "--locked",
        "--quiet",
        f"--project={ROOT}",
        "--no-default-groups",
        f"--group={group}",
        "--no-emit-project",
        *(f"--no-emit-package={name}" for name in without),
        f"--output-file={target}",
        external=True,
        silent=True,
    )
    return target


# The project's packages (pyproject.toml's wheel): the test harness, the site's
# extensions, the Nitro example's dispatcher. Each is imported from where it lies.
PROJECT_PACKAGES = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
PROJECT_FINDER = """\
\"\"\"The repository's packages, imported from the repository (written by noxfile.py).\"\"\"

import sys

FOLDERS = {folders!r}


class RepositoryPackages:
    @staticmethod
    def find_spec(name, path=None, target=None):
        folder = FOLDERS.get(name)
        if folder is None:
            return None
        from importlib.machinery import PathFinder

        return PathFinder.find_spec(name, [folder])


sys.meta_path.append(RepositoryPackages)
"""


def install_project(session: nox.Session) -> None:
    """Make the project's packages importable by name, and nothing else of tests/ or
    examples/, with every edit seen at once.

    An editable install does the same with hatchling's exact mapping, but its import hook
    (editables) imports importlib.abc, importlib.resources and inspect in every Python
    process: 0.098 s to start Python instead of 0.030, in each of the some 700 processes
    of a `make test` (every `manage.py` command a page runs). This finder imports nothing.
    """
    purelib = session.run_install(
        "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", silent=True
    )
    if not purelib:
        return  # nox -R: installed before
    # An environment made before holds the project editable, with its hook.
    python = Path(session.virtualenv.location) / "bin" / "python"
    uninstall = ["uv", "pip", "uninstall", "--quiet", f"--python={python}"]
    session.run_install(*uninstall, PYPROJECT["project"]["name"], external=True, silent=True)
    folders = {Path(p).name: str((ROOT / p).parent) for p in PROJECT_PACKAGES}
    site = Path(purelib.strip())
    (site / "_cookbook_packages.py").write_text(PROJECT_FINDER.format(folders=folders))
    (site / "_cookbook_packages.pth").write_text("import _cookbook_packages\n")


def install_group(session: nox.Session, group: str) -> None:
    """Install ``group`` as uv.lock pins it (with the project's packages: docs, test)."""
    session.install("-r", str(locked_requirements(session, group)))
    if group in {"docs", "test"}:
        install_project(session)


def install_tests(session: nox.Session, django: str) -> None:
    """The test group as uv.lock pins it, with Django and django-cockroachdb at ``django``.

    A cell of the version matrix changes those two and nothing else. django-cockroachdb
    X.Y requires Django X.Y, so the matrix's Djangos cannot share one resolution: the
    ``django`` and ``cockroachdb`` groups hold the default pair, and for each other Django
    of [tool.cookbook.matrix] a group named after it (``django-5.2``) holds that pair.
    pyproject.toml declares those groups in conflict ([tool.uv] conflicts), so uv.lock
    locks each in a resolution of its own. A cell with another Django installs the test
    group's pins without the default pair, together with the pins of its own group: every
    other package is at the version the default cell runs, and were the pair to need
    another version of one, the two files would pin it twice and ``uv pip install`` would
    refuse rather than move it.

    The pages run pip in this environment; a page that asks for another Django must fail
    there, not swap the cell's Django: pip reads the constraint from <venv>/pip.conf.
    """
    if django == DEFAULT_DJANGO:
        session.install("-r", str(locked_requirements(session, "test")))
    else:
        tests = locked_requirements(session, "test", without=DJANGO_PAIR)
        pair = locked_requirements(session, f"django-{django}")
        session.install("-r", str(tests), "-r", str(pair))
    install_project(session)
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
    pytest(session, *(selection(session.posargs) or paths), env=env)


def selection(arguments: list[str]) -> list[str]:
    """pytest's arguments, with `examples/<name>` standing for that example's suite.

    `nox -s tests -- examples/dbos` runs the DBOS project's own suite in both
    variants, and the coverage of what the pages include from it, and nothing
    else; a page (`docs/recipes/core.md`), a test id and pytest's own options
    (`--variant secure`, `-k`, `-x`) pass through.
    """
    selected = []
    for argument in arguments:
        name = argument.rstrip("/").removeprefix("examples/")
        if argument.startswith("examples/") and (ROOT / "examples" / name / "manage.py").exists():
            selected += [
                f"tests/test_examples.py::test_example_suite[{variant}-{name}]"
                for variant in ("secure", "insecure")
            ]
            selected.append("tests/test_included_coverage.py")
        else:
            selected.append(argument)
    return selected


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
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000/: one warm Sphinx rebuilds what a writer saves,
    and the browser reloads by itself (cookbook_sphinx.preview; `-- --port N` for another port)."""
    install_group(session, "docs")
    session.run("python", "-m", "cookbook_sphinx.preview", *session.posargs)


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


# The hosting configurations, each checked against its schema (check-jsonschema's
# vendored copies, so no network is needed) and the workflows also with jactionlint.
WORKFLOWS = ROOT / ".github" / "workflows"
READTHEDOCS = ".readthedocs.yaml"


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over everything that is Python; the CI and hosting configurations."""
    install_group(session, "lint")
    paths = ["examples", "tests", "docs/conf.py", "docs/_ext", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    workflows = [str(path.relative_to(ROOT)) for path in sorted(WORKFLOWS.glob("*.yml"))]
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.readthedocs", READTHEDOCS)
    # actionlint's checks (the correctness profile) with the lock's ShellCheck on the run:
    # scripts and ruff on Python ones; never the GitHub API.
    session.run(
        "jactionlint",
        "--profile=correctness",
        "--no-online",
        "--color=never",
        f"--shellcheck={Path(session.bin) / 'shellcheck'}",
        f"--ruff={Path(session.bin) / 'ruff'}",
        *workflows,
    )


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
    # The live preview's test runs the preview itself, which needs Sphinx and the rest.
    install_group(session, "docs")
    axe = install_axe(session)
    env = {"AXE_CORE_JS": str(axe)}
    pytest(session, "tests/browser", *session.posargs, env=env)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print the speed figures: docs build, cluster start, suite, and each recipe's."""
    install_group(session, "test")
    # The live preview's latency is measured in a browser (bench_preview.py).
    install_group(session, "browser")
    for script in sorted((ROOT / "tests" / "benchmarks").glob("bench_*.py")):
        if session.posargs and script.stem.removeprefix("bench_") not in session.posargs:
            continue
        session.log(f"--- {script.stem}")
        session.run("python", str(script))
