"""The live preview (`make serve`): a page open in the browser shows what the writer saved,
without being reloaded by hand, build after build of one warm Sphinx.

The preview runs on a scratch copy of the docs, which the test edits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

PAGE = "recipes/core"
# A cold build of the whole site on a busy 2-core machine.
START_TIMEOUT_S = 300


def preview_command(scratch: Path) -> list[str]:
    """`make serve`'s preview, on a scratch copy of the docs in ``scratch``, any free port."""
    return [
        sys.executable,
        "-m",
        "cookbook_sphinx.preview",
        "--copy-to",
        str(scratch),
        "--port",
        "0",
    ]


class Preview:
    """The preview process and what it printed."""

    def __init__(self, scratch: Path) -> None:
        self.process = subprocess.Popen(
            preview_command(scratch),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.serving = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("preview: serving "):
                self.url = line.removeprefix("preview: serving ").strip()
                self.serving.set()
        # The output has ended: so has the process. Whoever waits need not wait on.
        self.serving.set()

    def output(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    running = Preview(tmp_path)
    try:
        if not running.serving.wait(START_TIMEOUT_S) or not running.url:
            pytest.fail(f"the preview did not start serving:\n{running.output()}")
        yield running
    finally:
        running.process.send_signal(signal.SIGINT)
        try:
            running.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()


def test_a_saved_page_shows_in_the_open_browser(
    browser: Browser, preview: Preview, tmp_path: Path
) -> None:
    source = tmp_path / "docs" / f"{PAGE}.md"
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{preview.url}{PAGE}.html")
        article = page.locator("article")
        expect(article).to_contain_text("Snippet status")
        for _ in range(2):
            marker = f"Saved by the writer, {uuid.uuid4()}."
            assert marker not in article.inner_text()
            # Saved as editors do: written beside the page, then moved over it.
            saved = source.with_suffix(".saving")
            saved.write_text(source.read_text(encoding="utf-8") + f"\n{marker}\n")
            saved.replace(source)
            # No navigation here: the page must reload by itself.
            expect(article).to_contain_text(marker, timeout=60_000)
        assert preview.process.poll() is None, preview.output()
        assert preview.output().count("preview: built in") == 3, preview.output()
        assert errors == []
    finally:
        page.close()


def running(pid: int) -> bool:
    """Whether the process is there and not a zombie waiting for its new parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_the_preview_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    """`make serve` stopped by a SIGTERM: nox ends at once without passing it on, and
    the preview, still serving on its port, must not outlive it."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))",
            *preview_command(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        children: list[str] = []
        while not children and time.monotonic() < deadline:
            time.sleep(0.1)
            found = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True)
            children = found.stdout.split()
        assert children, "the preview did not start"
        preview = int(children[0])
        time.sleep(1.0)  # the preview is running its main()
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while running(preview) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(preview), "the preview outlived its parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()
