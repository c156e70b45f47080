"""Fixtures: the built site on a local HTTP server, and Debian's Chromium driven by Playwright.

The site must be built first (`make browser` does it: the nox session `browser`
requires the `docs` session). Playwright cannot download its own browser here,
so it drives the system's Chromium (`CHROMIUM`, default /usr/bin/chromium).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)

from cookbook_harness.chromium import CHROMIUM, CHROMIUM_ARGS
from cookbook_harness.layout import ROOT

SITE = ROOT / "docs" / "_build" / "html"


def site_pages() -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not path.relative_to(SITE).parts[0].startswith("_")
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    if not (SITE / "index.html").is_file():
        pytest.exit(f"no built site in {SITE}: run `make html` (or `make browser`)", returncode=4)
    if not CHROMIUM.is_file():
        pytest.exit(f"no Chromium at {CHROMIUM}: `apt-get install chromium`", returncode=4)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are recorded by the browser, not printed by the server."""


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The built site on 127.0.0.1, on a free port, for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Traffic:
    """What a browser context did: every request, console errors, page errors, failures."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the local server (another host, port or scheme)."""
        return [url for url in self.requests if _origin(url) != self.origin]

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_failed(self, request: Request) -> None:
        # A request cancelled because the test moved on to another page (the favicon,
        # say) is the browser's doing, not the site's; every other failure counts.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (storage, clipboard permission) per test."""
    context = browser.new_context(
        base_url=base_url, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def traffic(context: BrowserContext, base_url: str) -> Traffic:
    """Records the context's requests and errors; see `page`."""
    traffic = Traffic(origin=_origin(base_url))
    context.on("request", lambda request: traffic.requests.append(request.url))
    context.on("requestfailed", traffic.on_failed)
    context.on(
        "response",
        lambda response: (
            traffic.errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return traffic


@pytest.fixture
def page(context: BrowserContext, traffic: Traffic) -> Iterator[Page]:
    """A page whose whole life is checked: no errors, no request leaving the local server.

    Every test that browses gets this check, after its own assertions.
    """
    page = context.new_page()
    page.on("console", traffic.on_console)
    page.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    yield page
    assert traffic.foreign_requests() == []
    assert traffic.errors == []


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser bundle, installed by the nox session with npm (not committed)."""
    path = Path(
        os.environ.get(
            "AXE_CORE_JS", ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
        )
    )
    if not path.is_file():
        pytest.fail(f"axe-core not found at {path}: run `make browser`, which installs it")
    return path
