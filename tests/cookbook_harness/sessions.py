"""A page's run in one variant: the reader's directory, terminal and shells.

A reader follows a page in one terminal: :class:`Shell` is that terminal (one
``bash`` session, commands in order); ``Repl`` is a new
``python manage.py shell`` into which one ``pycon`` block is pasted; and
:class:`PageRun` holds the terminal, in an empty directory where the page's
own commands and blocks build the project, with a fresh database.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import pty
import queue
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import uuid
from pathlib import Path

from . import audit, watchdog
from .cockroach import Node
from .layout import ROOT
from .matching import SnippetFailure
from .pages import Page
from .postgres import DATABASE_NAME, Servers

COMMAND_TIMEOUT = 300.0


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
        # What is still in the group gets 0.2 s to end after its SIGTERM, no more; and
        # no waiting when it has ended already (most commands leave nothing behind).
        deadline = time.monotonic() + 0.2
        while group_alive(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def group_alive(pgid: int) -> bool:
    """Whether any process (a zombie included) is left in the process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it is there, only not ours to signal
    return True


class Repl:
    """``python manage.py shell`` on a pseudo-terminal, as a reader's terminal runs it.

    Lines are typed one at a time, each after the REPL has shown its prompt, so
    that the output of each statement can be told apart; for the standard REPL
    this is what a paste is (Python's readline turns bracketed paste off).
    """

    PROMPTS = (">>> ", "... ")
    ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        primary, secondary = pty.openpty()
        # Wide enough that readline never scrolls or wraps a long line it echoes.
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 4000, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "shell"],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        os.close(secondary)
        self.fd = primary
        self.buffer = ""
        self.startup = self._until_prompt(COMMAND_TIMEOUT)

    def _until_prompt(self, timeout: float) -> str:
        """What the REPL writes until it waits at a prompt; the prompt is left out."""
        deadline = time.monotonic() + timeout
        while not self.buffer.endswith(self.PROMPTS):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, left))
            if not ready:
                raise SnippetFailure(
                    f"no prompt from `manage.py shell` in {timeout:.0f} s:\n{self.buffer}"
                )
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                raise SnippetFailure(f"`manage.py shell` ended:\n{self.buffer}")
            self.buffer += self.ANSI.sub("", data.decode(errors="replace"))
        text, self.prompt = self.buffer[:-4], self.buffer[-4:]
        self.buffer = ""
        return text

    def type(self, line: str, timeout: float = COMMAND_TIMEOUT) -> str:
        """Type one line and Enter; return what the REPL printed (its echo removed)."""
        os.write(self.fd, line.encode() + b"\n")
        shown = self._until_prompt(timeout)
        echo, _, output = shown.partition("\n")
        if echo.rstrip() != line.rstrip():
            raise SnippetFailure(f"the REPL did not echo {line!r} but {echo!r}")
        return output

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.fd)


class PageRun:
    """A page run in one variant: the reader's directory, the terminal, the audit."""

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
        # The reader's working directory, empty: the page's own commands and blocks
        # make the project in it (a recipe's starts with `django-admin startproject`).
        self.project.mkdir()
        # Repository folders the page's commands use, at the same relative path.
        for folder in page.front_matter.get("copy", []):
            shutil.copytree(ROOT / folder, self.project / folder)
        # A fresh, empty database on both clusters, as a reader starts with.
        for cluster in servers.clusters.values():
            cluster.create_database(DATABASE_NAME)
        # From here on, every connection the servers log is this run's or the suites'.
        self.logs = [audit.ConnectionLog(cluster) for cluster in servers.clusters.values()]
        self.connections: list[audit.Connection] = []
        # The text each pycon block pasted into `manage.py shell` (the browser tests
        # check that the copy buttons give the same).
        self.pastes: list[dict[str, object]] = []
        cluster = servers.clusters.get(variant)
        self.pki = servers.clusters["secure"].pki if "secure" in servers.clusters else None
        if node is not None:
            # The CockroachDB run: the page's own commands reach the variant's node.
            node.reset()
            node.prepare_scratch(self.project)
        elif cluster is not None and cluster.secure:
            # What a client of the secure server holds, and nothing else (no CA key).
            (self.project / "certs").mkdir()
            for name in ("ca.crt", "client.crt", "client.key"):
                shutil.copy(cluster.client_certs / name, self.project / "certs" / name)
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
            # What the page starts ends with the session (watchdog.py).
            watchdog.MARK: watchdog.session_mark(),
        }
        self.shell = Shell(self.project, env)
        self.shell_env, self.shell_cwd = env, self.project

    def cwd(self) -> Path:
        """The directory the page's commands are in now."""
        return Path(self.shell.query("pwd").strip())

    def audit(self, where: str) -> None:
        """Hold the connections logged since the last call to the variant's rule."""
        new = [connection for log in self.logs for connection in log.read()]
        self.connections += new
        broken = audit.broken_rules(self.variant, new)
        if broken:
            rule = {
                "secure": "TLS with a client certificate, to the secure server only",
                "insecure": "the insecure server only",
            }[self.variant]
            raise SnippetFailure(
                f"{where}: the {self.variant.capitalize()} variant allows {rule}, but the "
                "servers logged:\n" + "\n".join(f"- {c.describe()}" for c in broken)
            )

    def stop_processes(self) -> None:
        """Stop what the page's commands left running.

        The shell's last directory and environment are kept (``shell_cwd``,
        ``shell_env``): the decoy test runs the page's clients with them.
        """
        if self.shell.process.poll() is None:
            self.shell_env = self.shell.environment()
            self.shell_cwd = Path(self.shell.query("pwd").strip())
        self.shell.close()

    def close(self) -> None:
        self.stop_processes()
        shutil.rmtree(self.root, ignore_errors=True)
        if PageRun.current is self:
            PageRun.current = None
