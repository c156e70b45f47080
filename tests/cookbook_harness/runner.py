"""The snippet runner: executes a page's code blocks as a reader would.

Sybil finds the blocks and makes one pytest item per block; this module adds
what Sybil does not have: the page's per-variant session (a scratch copy of
the page's example project, one ``bash`` session, one Python process), and the
evaluators for ``console``, ``sql``, ``python`` and ``pycon`` blocks.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import dataclasses
import difflib
import functools
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.skip import Skipper
from sybil.parsers.myst import CodeBlockParser, SkipParser

from . import cockroach
from .cockroach import Node
from .pages import Page, parse_page
from .postgres import DATABASE_NAME, ROOT, Servers

DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
COMMAND_TIMEOUT = 300.0
SETTINGS_IN_MANAGE_PY = re.compile(r"""DJANGO_SETTINGS_MODULE["'],\s*["']([\w.]+)["']""")


class SnippetFailure(AssertionError):
    """A block did not do what its page says."""


def _lines(text: str, squeeze: bool) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return [" ".join(line.split()) for line in lines] if squeeze else lines


def _pattern(want: list[str]) -> re.Pattern[str]:
    """``...`` within a line matches any text on it; a line of ``...``, any lines."""
    parts = []
    for line in want:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def compare(want: str, got: str, squeeze_spaces: bool = False) -> str | None:
    """None when ``got`` matches ``want`` (with ``...`` wildcards), else a diff."""
    want_lines, got_lines = _lines(want, squeeze_spaces), _lines(got, squeeze_spaces)
    if _pattern(want_lines).fullmatch("".join(line + "\n" for line in got_lines)):
        return None
    diff = difflib.unified_diff(
        want_lines, got_lines, "shown on the page", "real output", lineterm=""
    )
    return "\n".join(diff)


class Shell:
    """One ``bash`` session: commands run in it in order, like a reader's terminal."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def run(self, command: str, timeout: float = COMMAND_TIMEOUT) -> tuple[str, int]:
        """Run one command; return what it printed (stdout and stderr) and its status."""
        assert self.process.stdin is not None
        marker = f"__cookbook_{uuid.uuid4().hex}__"
        # Standard input is not the reader's keyboard: a command must not read it.
        self.process.stdin.write(
            f"{{ {command}\n}} < /dev/null 2>&1\nprintf '\\n{marker} %s\\n' \"$?\"\n"
        )
        self.process.stdin.flush()
        output: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise SnippetFailure(
                    f"timed out after {timeout:.0f} s: $ {command}\n{''.join(output)}"
                ) from None
            if line is None:
                raise SnippetFailure(f"the shell exited during: $ {command}\n{''.join(output)}")
            if line.startswith(marker):
                text = "".join(output)
                return text.removesuffix("\n"), int(line.split()[1])
            output.append(line)

    def query(self, command: str) -> str:
        out, status = self.run(command)
        if status != 0:
            raise SnippetFailure(f"{command} failed: {out}")
        return out

    def environment(self) -> dict[str, str]:
        out = self.query("env -0 | base64 -w0")
        pairs = base64.b64decode(out.strip()).decode().split("\0")
        return dict(pair.split("=", 1) for pair in pairs if "=" in pair)

    def close(self) -> None:
        # Background commands (servers, workers) share the shell's process group.
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


class PythonWorker:
    """The page's Python process (see pyworker.py)."""

    def __init__(self, cwd: Path, env: dict[str, str], log: Path) -> None:
        read_fd, write_fd = os.pipe()
        env = env | {"COOKBOOK_RESPONSE_FD": str(write_fd), "PYTHONUNBUFFERED": "1"}
        self.log_path = log
        with open(log, "w") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("pyworker.py"))],
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                text=True,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        os.close(write_fd)
        self.answers = os.fdopen(read_fd, "r")
        started = self._answer()
        if not started["ok"]:
            raise SnippetFailure(f"Django could not be set up:\n{started['report']}")

    def _answer(self) -> dict[str, Any]:
        line = self.answers.readline()
        if not line:
            raise SnippetFailure(f"the Python process died:\n{self.log_path.read_text()}")
        return json.loads(line)

    def run(self, kind: str, source: str, path: str, line: int) -> dict[str, Any]:
        assert self.process.stdin is not None
        request = {"kind": kind, "source": source, "path": path, "line": line}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.answers.close()


class PageRun:
    """A page run in one variant: scratch project, shell, Python process."""

    current: PageRun | None = None

    def __init__(
        self, page: Page, variant: str, servers: Servers, node: Node | None = None
    ) -> None:
        self.page = page
        self.variant = variant
        self.root = Path(tempfile.mkdtemp(prefix="cookbook-page-"))
        self.project = self.root / "project"
        self.home = self.root / "home"
        self.home.mkdir()
        example = page.example
        if example:
            shutil.copytree(
                EXAMPLES / example,
                self.project,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "certs"),
            )
        else:
            self.project.mkdir()
        # Repository folders the page's commands use, at the same relative path.
        for folder in page.front_matter.get("copy", []):
            shutil.copytree(ROOT / folder, self.project / folder)
        self.settings = self._settings_module()
        # A fresh, empty database on both clusters, as a reader starts with.
        for cluster in servers.clusters.values():
            cluster.create_database(DATABASE_NAME)
        cluster = servers.clusters.get(variant)
        if node is not None:
            # The CockroachDB run: the page's own commands reach the variant's node.
            node.reset()
            node.prepare_scratch(self.project)
        elif cluster is not None and cluster.certs is not None:
            (self.project / "certs").mkdir()
            for name in ("ca.crt", "client.crt", "client.key"):
                shutil.copy(cluster.certs / name, self.project / "certs" / name)
            os.chmod(self.project / "certs" / "client.key", 0o600)
        venv_bin = str(Path(sys.executable).parent)
        # The server's own client programs (psql) come last: the system's win.
        path = os.pathsep.join(
            (venv_bin, os.environ.get("PATH", "/usr/bin:/bin"), str(servers.binaries.bindir))
        )
        if node is not None:
            # The page's commands say `cockroach`, whatever the binary is called.
            tools = self.root / "bin"
            tools.mkdir()
            (tools / "cockroach").symlink_to(node.binary.resolve())
            path = os.pathsep.join((str(tools), path))
        self.psql = shutil.which("psql", path=path) or "psql"
        env = {
            "PATH": path,
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "TERM": "dumb",
            "PYTHONUNBUFFERED": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        self.shell = Shell(self.project, env)
        self.python: PythonWorker | None = None

    def _settings_module(self) -> str | None:
        manage = self.project / "manage.py"
        if not manage.exists():
            return None
        match = SETTINGS_IN_MANAGE_PY.search(manage.read_text())
        return match.group(1) if match else None

    def python_worker(self) -> PythonWorker:
        if self.python is None:
            # The Python process sees the environment the page's commands set up.
            env = self.shell.environment()
            cwd = Path(self.shell.query("pwd").strip())
            if self.settings:
                env.setdefault("DJANGO_SETTINGS_MODULE", self.settings)
            self.python = PythonWorker(cwd, env, self.root / "python.log")
        return self.python

    def close(self) -> None:
        if self.python is not None:
            self.python.close()
        self.shell.close()
        shutil.rmtree(self.root, ignore_errors=True)
        if PageRun.current is self:
            PageRun.current = None


def page_run(example: Example) -> PageRun:
    """The page's run for this example's variant, started on first use."""
    import pytest

    namespace = example.namespace
    run = namespace.get("_cookbook_run")
    if run is None:
        servers: Servers = namespace["cookbook_servers"]
        variant: str = namespace["_cookbook_variant"]
        if variant not in servers.clusters:
            pytest.skip(servers.unavailable[variant])
        # Pages run one at a time: their servers would share ports.
        if PageRun.current is not None:
            PageRun.current.close()
        page = parse_page(Path(example.path))
        node = None
        if page.front_matter.get("cockroachdb") and cockroach_run():
            node = namespace["cockroach_nodes"][variant]
        run = PageRun(page, variant, servers, node)
        PageRun.current = run
        namespace["_cookbook_run"] = run
    return run


def where(example: Example) -> str:
    path = Path(example.path).relative_to(ROOT)
    return f"{path}:{example.line} [{example.namespace['_cookbook_variant']}]"


# --- console -----------------------------------------------------------------


def console_commands(source: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    pairs: list[tuple[str, list[str]]] = []
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            command = [line[2:]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            pairs.append(("\n".join(command), []))
        elif pairs:
            pairs[-1][1].append(line)
        elif line.strip():
            raise SnippetFailure(f"console block output before any `$ ` command: {line!r}")
        index += 1
    return [(command, "\n".join(output).strip("\n")) for command, output in pairs]


def evaluate_console(example: Example) -> None:
    run = page_run(example)
    for command, expected in console_commands(example.parsed):
        output, status = run.shell.run(command)
        if expected:
            difference = compare(expected, output)
            if difference:
                raise SnippetFailure(
                    f"{where(example)}: the output of `$ {command}` differs from the page "
                    f"(exit status {status}):\n{difference}"
                )
        elif status != 0:
            raise SnippetFailure(
                f"{where(example)}: `$ {command}` exited with status {status}:\n{output}"
            )


# --- sql ------------------------------------------------------------------------


def sql_statements(source: str) -> list[tuple[str, str | None]]:
    """Split a sql block into (statement, expected result or None) pairs."""
    lines = source.splitlines()
    if not any(line.startswith("=> ") for line in lines):
        return [(source, None)]
    pairs: list[tuple[list[str], list[str]]] = []
    for line in lines:
        if line.startswith("=> "):
            pairs.append(([line[3:]], []))
        elif line.startswith("-> ") and pairs and not pairs[-1][1]:
            pairs[-1][0].append(line[3:])
        elif pairs:
            pairs[-1][1].append(line)
    return [("\n".join(s), "\n".join(r).strip("\n")) for s, r in pairs]


def evaluate_sql(example: Example) -> None:
    run = page_run(example)
    env = run.shell.environment()
    for statement, expected in sql_statements(example.parsed):
        result = subprocess.run(
            [run.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            input=statement,
            capture_output=True,
            text=True,
            env=env,
            cwd=run.project,
            timeout=COMMAND_TIMEOUT,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SnippetFailure(f"{where(example)}: psql failed on:\n{statement}\n{output}")
        if expected:
            difference = compare(expected, output, squeeze_spaces=True)
            if difference:
                raise SnippetFailure(
                    f"{where(example)}: the result of\n{statement}\ndiffers from the page:\n"
                    f"{difference}"
                )


# --- python and pycon --------------------------------------------------------------


def _python(kind: str, example: Example) -> None:
    run = page_run(example)
    source = example.parsed
    # The source starts on the line after the opening fence; the worker wants
    # the 0-based index of that line.
    answer = run.python_worker().run(kind, str(source), str(example.path), example.line)
    if not answer["ok"]:
        raise SnippetFailure(f"{where(example)}: the {kind} block failed:\n{answer['report']}")


def evaluate_python(example: Example) -> None:
    _python("python", example)


def evaluate_pycon(example: Example) -> None:
    _python("pycon", example)


# --- Sybil -----------------------------------------------------------------------


def reporting(evaluate: Any) -> Any:
    """Turn a SnippetFailure into Sybil's failure message (shown without a traceback)."""

    def evaluator(example: Example) -> str | None:
        try:
            evaluate(example)
        except SnippetFailure as failure:
            return str(failure)
        return None

    return evaluator


LANGUAGES = {
    "console": reporting(evaluate_console),
    "sql": reporting(evaluate_sql),
    "python": reporting(evaluate_python),
    "pycon": reporting(evaluate_pycon),
}


class VariantParser:
    """Yields a parser's regions that belong to one variant of the page."""

    def __init__(self, parser: Any, variant: str) -> None:
        self.parser = parser
        self.variant = variant

    def __call__(self, document: Document) -> Iterable[Region]:
        page = parse_page(Path(document.path))
        if self.variant not in page.variants:
            return
        for region in self.parser(document):
            line = document.text.count("\n", 0, region.start) + 1
            if page.variant_at(line) in (None, self.variant):
                yield region


def _setup(variant: str):  # type: ignore[no-untyped-def]
    def setup(namespace: dict[str, Any]) -> None:
        namespace["_cookbook_variant"] = variant
        # For conditional skips: `% skip: next if(django_version < (6, 0), reason="...")`.
        namespace["django_version"] = django_version()
        # `% skip: next if(not cockroach, reason="...")`: blocks for a CockroachDB node.
        namespace["cockroach"] = cockroach_run()

    return setup


def _teardown(namespace: dict[str, Any]) -> None:
    run = namespace.pop("_cookbook_run", None)
    if run is not None:
        run.close()


@functools.cache
def sybils() -> list[Sybil]:
    """One Sybil per variant over every page under docs/."""
    made = []
    for variant in ("secure", "insecure"):
        parsers = [
            CodeBlockParser(language, evaluator) for language, evaluator in LANGUAGES.items()
        ]
        parsers.append(SkipParser())
        made.append(
            Sybil(
                parsers=[VariantParser(parser, variant) for parser in parsers],
                path=str(DOCS),
                pattern="*.md",
                excludes=["_build/*"],
                setup=_setup(variant),
                teardown=_teardown,
                fixtures=["cookbook_servers", "cockroach_nodes"],
                name=variant,
            )
        )
    return made


@dataclasses.dataclass(frozen=True)
class RegionInfo:
    """How the runner treats the block that starts on a line."""

    language: str
    skipped: str | None


def page_regions(path: Path, variant: str) -> dict[int, RegionInfo]:
    """The page's blocks that the runner executes or skips in one variant, by line."""
    sybil = {s.name: s for s in sybils()}[variant]
    found: dict[int, RegionInfo] = {}
    skip_next: str | None = None
    skip_all: str | None = None
    for example in sybil.parse(path).examples():
        if isinstance(example.region.evaluator, Skipper):
            action, reason = example.parsed
            reason = _skip_reason(reason)
            if action == "next":
                skip_next = reason
            elif action == "start":
                skip_all = reason
            else:
                skip_all = None
            continue
        language = str(example.region.lexemes.get("arguments", ""))
        skipped = skip_next if skip_next is not None else skip_all
        found[example.line] = RegionInfo(language, skipped)
        skip_next = None
    return found


def _skip_reason(argument: str | None) -> str:
    """The reason of ``% skip: next "reason"`` or ``next if(condition, reason="...")``.

    Empty when there is none.
    """
    text = (argument or "").strip()
    if text.startswith("if"):
        try:
            call = ast.parse("if_" + text[2:], mode="eval").body
        except SyntaxError:
            return ""
        keywords = {k.arg: k.value for k in getattr(call, "keywords", [])}
        reason_node = keywords.get("reason")
        text = ast.unparse(reason_node) if reason_node is not None else ""
    try:
        reason = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ""
    return reason if isinstance(reason, str) else ""


def django_version() -> tuple[int, ...]:
    """The installed Django's (major, minor), as the pages' skip conditions compare it."""
    from importlib.metadata import version

    return tuple(int(part) for part in version("django").split(".")[:2])


def cockroach_run() -> bool:
    """Whether this is the CockroachDB run (``nox -s cockroachdb``), not the PostgreSQL one.

    In that run the pages whose front matter says ``cockroachdb: true`` run
    against CockroachDB nodes, and their blocks skipped ``if(not cockroach)``
    execute while those skipped ``if(cockroach)`` do not.
    """
    return os.environ.get(cockroach.RUN_VARIABLE) == "1"
