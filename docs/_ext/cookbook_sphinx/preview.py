"""Live preview of the site: one warm Sphinx, rebuilt when a file changes, and a browser
that reloads by itself.

``make serve`` (``nox -s serve``) runs ``python -m cookbook_sphinx.preview``: it builds the
site into docs/_build/html, serves it on http://127.0.0.1:8000/ and watches the pages,
conf.py, the templates and static files, the examples and conf/ (which the pages
include). A change is rebuilt by the same Sphinx application, so nothing is imported
or compiled again and only the changed pages are read; every page open in a browser
then reloads itself. A change to conf.py or to an extension restarts the process,
since Python cannot forget the modules it imported. Warnings are printed, not fatal:
``make html`` is the strict build.

sphinx-autobuild, by contrast, starts a new ``python -m sphinx`` for every change.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search import en

from cookbook_harness import watchdog
from cookbook_harness.layout import DOCS

EVENTS = "/__preview/events"
# Read by every HTML page the preview serves (and only by those: the built files
# stay as `make html` makes them). It reloads the page when a build has finished
# since the page was served.
RELOAD_SCRIPT = """<script>
(() => {
  const served = %d;
  const events = new EventSource("%s");
  events.onmessage = (message) => {
    if (Number(message.data) > served) location.reload();
  };
})();
</script>"""
POLL_SECONDS = 0.05
# Editors write a file in several steps; a build waits for them to finish.
SETTLE_SECONDS = 0.05
SKIPPED_DIRS = {"_build", "__pycache__", ".pytest_cache", "node_modules", "certs", ".venv"}


def _remember_stems() -> None:
    """Stem each word once per process: the search index of a rewritten page is made
    again on every build, and stemming (pure Python) was a sixth of a warm rebuild."""
    stem = en.SearchEnglish.stem
    known: dict[str, str] = {}

    def remembered(self: en.SearchEnglish, word: str) -> str:
        if word not in known:
            known[word] = stem(self, word)
        return known[word]

    en.SearchEnglish.stem = remembered  # type: ignore[method-assign]


def scratch_copy(source: Path, into: Path) -> Path:
    """A copy of the docs folder that a test or a benchmark may edit, in ``into``.

    What the pages include or the configuration reads (examples/, conf/, tests/,
    pyproject.toml) is linked, not copied. Returns the copy's docs folder.
    """
    root = source.parent
    docs = into / source.name
    if docs.exists():
        return docs  # made before this process restarted itself
    shutil.copytree(source, docs, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    for name in ("examples", "conf", "tests", "pyproject.toml"):
        (into / name).symlink_to(root / name)
    return docs


class Preview:
    """The warm Sphinx application, its build generation, and who waits for the next one."""

    def __init__(self, source: Path, build: Path) -> None:
        self.source = source
        self.html = build / "html"
        self.app = Sphinx(
            str(source),
            str(source),
            str(self.html),
            str(build / "doctrees"),
            "html",
            status=None,  # Sphinx's progress lines: the preview prints one line a build
            warning=sys.stderr,
            keep_going=True,
        )
        self.generation = 0
        self.changed = threading.Condition()

    def build(self) -> None:
        # Archives are otherwise made once per process (builder-inited): a changed
        # example must be zipped before Sphinx compares its modification time.
        from cookbook_sphinx import example_archives

        start = time.perf_counter()
        try:
            example_archives.build_all()
            self.app.build()
        except Exception:
            traceback.print_exc()
            print("preview: the build failed; still serving the last good pages", flush=True)
            return
        with self.changed:
            # Milliseconds, so that a page served by an earlier process (before a
            # restart) also sees a newer build.
            self.generation = max(self.generation + 1, time.time_ns() // 1_000_000)
            self.changed.notify_all()
        print(f"preview: built in {time.perf_counter() - start:.2f} s", flush=True)

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation > seen, timeout=timeout)
            return self.generation


def watched_files(roots: list[Path]) -> Iterator[os.DirEntry[str]]:
    for root in roots:
        stack = [root]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIPPED_DIRS:
                            stack.append(Path(entry.path))
                    elif entry.is_file():
                        yield entry


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """Every watched file's modification time and size."""
    found = {}
    for entry in watched_files(roots):
        status = entry.stat()
        found[entry.path] = (status.st_mtime_ns, status.st_size)
    return found


def restarts(changed: set[str], source: Path) -> bool:
    """Whether a change needs a new process: conf.py or a Python module of the extensions."""
    conf = str(source / "conf.py")
    extensions = str(source / "_ext") + os.sep
    return any(
        path == conf or (path.startswith(extensions) and path.endswith(".py")) for path in changed
    )


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not printed: the builds are what a writer follows."""

    def do_GET(self) -> None:
        if self.path == EVENTS:
            self.send_events()
        elif self.path.split("?")[0].endswith((".html", "/")):
            self.send_page()
        else:
            super().do_GET()

    def send_page(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            super().do_GET()
            return
        served = self.preview.generation
        html = path.read_bytes()
        script = (RELOAD_SCRIPT % (served, EVENTS)).encode()
        html = html.replace(b"</body>", script + b"</body>", 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(html)))
        self.end_headers()
        self.wfile.write(html)

    def send_events(self) -> None:
        """Server-sent events: the generation of each build that finishes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.preview.generation
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while True:
                current = self.preview.wait(seen, timeout=15)
                # A comment line when nothing happened keeps the connection alive.
                line = f"data: {current}\n\n" if current > seen else ": idle\n\n"
                self.wfile.write(line.encode())
                self.wfile.flush()
                seen = current
        except (BrokenPipeError, ConnectionResetError):
            return

    def end_headers(self) -> None:
        # Every file fresh from the last build, never from the browser's cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def serve(preview: Preview, host: str, port: int) -> http.server.ThreadingHTTPServer:
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(preview.html))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    # nox, stopped by a SIGTERM (make serve's own, a terminal closing), ends at once and
    # does not pass it on: the preview must not keep serving without it.
    watchdog.end_with_parent(os.getppid())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DOCS, help="the docs folder")
    parser.add_argument("--build", type=Path, help="where to build (default: <source>/_build)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument(
        "--copy-to", type=Path, help="preview a scratch copy of the docs made in this folder"
    )
    options = parser.parse_args()
    source = options.source.resolve()
    if options.copy_to:
        source = scratch_copy(source, options.copy_to.resolve())
    root = source.parent
    roots = [source, root / "examples", root / "conf"]

    _remember_stems()
    preview = Preview(source, (options.build or source / "_build").resolve())
    preview.build()
    server = serve(preview, options.host, options.port)
    print(f"preview: serving http://{options.host}:{server.server_port}/", flush=True)
    known = snapshot(roots)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            current = snapshot(roots)
            if current == known:
                continue
            time.sleep(SETTLE_SECONDS)
            current = snapshot(roots)
            changed = {
                path
                for path in known.keys() | current.keys()
                if known.get(path) != current.get(path)
            }
            known = current
            if restarts(changed, source):
                print("preview: conf.py or an extension changed: restarting", flush=True)
                server.server_close()
                os.execv(
                    sys.executable,
                    [sys.executable, "-m", "cookbook_sphinx.preview", *sys.argv[1:]],
                )
            names = ", ".join(sorted(os.path.relpath(path, root) for path in changed)[:3])
            print(f"preview: changed {names}", flush=True)
            preview.build()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
