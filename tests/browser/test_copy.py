"""Each copy button copies what a reader runs: the commands, without prompts or output."""

from __future__ import annotations

import json

import pytest
from conftest import SITE, site_pages
from playwright.sync_api import Page
from runnable import runnable_text

NOTHING_COPIED = "<the copy button copied nothing>"
CODE = 'div[class*="highlight-"] > .highlight'

# Each code block: its language, its text as shown, and the tab (if any) that shows it.
BLOCKS = f"""() => Array.from(document.querySelectorAll('{CODE} > pre')).map((pre) => ({{
  language: Array.from(pre.parentElement.parentElement.classList)
    .find((c) => c.startsWith("highlight-")).slice("highlight-".length),
  text: pre.textContent,
  tab: pre.closest(".sphinx-tabs-panel")?.getAttribute("aria-labelledby") ?? null,
}}))"""


def pages_with_code() -> list[str]:
    return [path for path in site_pages() if 'class="highlight"' in (SITE / path).read_text()]


@pytest.mark.parametrize("path", pages_with_code())
def test_copy_buttons_copy_the_runnable_commands(page: Page, path: str) -> None:
    page.goto(path)
    blocks = page.evaluate(BLOCKS)
    buttons = page.locator(f"{CODE} > button.copybtn")
    assert buttons.count() == len(blocks) > 0
    copied: list[str] = []
    for index, block in enumerate(blocks):
        if block["tab"] is not None:
            # The block is in a tab: choose that tab, as a reader would, to see it.
            page.locator(f'[id="{block["tab"]}"]').click()
        page.evaluate("(text) => navigator.clipboard.writeText(text)", NOTHING_COPIED)
        buttons.nth(index).click()
        copied.append(page.evaluate("() => navigator.clipboard.readText()"))
    assert copied == [runnable_text(block["language"], block["text"]) for block in blocks]


def test_continued_commands_are_copied_whole(page: Page) -> None:
    """A shell command continued with a trailing backslash is copied with all its lines,
    so that it runs as shown; none ends the copied text half written."""
    continued = 0
    for path in pages_with_code():
        page.goto(path)
        blocks = page.evaluate(BLOCKS)
        buttons = page.locator(f"{CODE} > button.copybtn")
        for index, block in enumerate(blocks):
            lines = block["text"].rstrip("\n").split("\n")
            if block["language"] != "console" or not any(line.endswith("\\") for line in lines):
                continue
            continued += 1
            if block["tab"] is not None:
                page.locator(f'[id="{block["tab"]}"]').click()
            page.evaluate("(text) => navigator.clipboard.writeText(text)", NOTHING_COPIED)
            buttons.nth(index).click()
            copied = page.evaluate("() => navigator.clipboard.readText()").split("\n")
            assert not copied[-1].endswith("\\"), (path, copied)
            for number, line in enumerate(lines[:-1]):
                if line.endswith("\\"):
                    # The line that carries the command on is copied right after it.
                    following = lines[number + 1]
                    assert following in copied, (path, following, copied)
    # The site shows such commands (long curl and cockroach invocations): this ran.
    assert continued > 0


def _pastes() -> dict[str, set[str]]:
    """Per page, the text each pycon block pasted into `manage.py shell` in the default
    cell's run (the snippet report's ``pastes``), from the blocks that all passed."""
    from cookbook_harness.layout import cell_report, default_cell

    path = cell_report(default_cell())
    if not path.exists():
        pytest.skip(f"no test run is recorded ({path} is missing): run `make test` first")
    report = json.loads(path.read_text())
    found: dict[str, set[str]] = {}
    for page, variants in report.get("pages", {}).items():
        for variant, figures in variants.items():
            assert not figures["failed"], f"{page} ({variant}) failed in the run"
            for paste in figures.get("pastes", []):
                found.setdefault(page, set()).add(paste["text"])
    return found


def test_pycon_copy_buttons_give_what_the_run_pasted_into_the_shell(page: Page) -> None:
    """The runner pasted each pycon block's copy-button text into a real
    `python manage.py shell` and compared what it printed with the page; here the real
    copy button must give that same text, so a reader's paste is the tested one."""
    pastes = _pastes()
    checked = 0
    for md, expected in sorted(pastes.items()):
        html = md.removeprefix("docs/").removesuffix(".md") + ".html"
        page.goto(html)
        blocks = page.evaluate(BLOCKS)
        buttons = page.locator(f"{CODE} > button.copybtn")
        copied = set()
        for index, block in enumerate(blocks):
            if block["language"] != "pycon":
                continue
            if block["tab"] is not None:
                page.locator(f'[id="{block["tab"]}"]').click()
            page.evaluate("(text) => navigator.clipboard.writeText(text)", NOTHING_COPIED)
            buttons.nth(index).click()
            copied.add(page.evaluate("() => navigator.clipboard.readText()"))
        assert copied == expected, md
        checked += len(copied)
    assert checked > 0, "no pycon block was pasted in the recorded run"
