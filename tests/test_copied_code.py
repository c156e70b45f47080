"""What a reader copies from the built site is complete code.

The site is built to HTML; for each page, the python blocks that name the same
file in their caption are joined in page order, as the copy button gives them,
and the result must parse and use no name it does not define or import. A
settings fragment is judged merged into the settings file that
``startproject`` makes (cookbook_harness.assembly), so the names that file
defines count. A file the page does not show whole (it lists it as not shown)
may use the names that file defines at its top level, but never a name it
would have to import: every import a block needs is on the page.
"""

from __future__ import annotations

import ast
import html
import io
from html.parser import HTMLParser
from pathlib import Path

import pyflakes.checker
import pyflakes.messages
import pytest
from sphinx.application import Sphinx

from cookbook_harness import assembly
from cookbook_harness.layout import DOCS, EXAMPLES, ROOT
from cookbook_harness.pages import parse_page


class CodeBlocks(HTMLParser):
    """The code blocks of a built page: (caption or None, language, text) in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str | None, str, str]] = []
        self.caption: str | None = None
        self.in_caption = False
        self.language: str | None = None
        self.in_pre = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if "caption-text" in classes:
            self.in_caption, self.caption = True, ""
        for name in classes:
            if name.startswith("highlight-"):
                self.language = name.removeprefix("highlight-")
        if tag == "pre" and self.language is not None:
            self.in_pre, self.text = True, []

    def handle_endtag(self, tag: str) -> None:
        if self.in_caption and tag == "span":
            self.in_caption = False
        elif tag == "pre" and self.in_pre:
            assert self.language is not None
            self.blocks.append((self.caption, self.language, "".join(self.text)))
            self.in_pre, self.language, self.caption = False, None, None

    def handle_data(self, data: str) -> None:
        if self.in_caption:
            self.caption = (self.caption or "") + data
        elif self.in_pre:
            self.text.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    app = Sphinx(
        str(DOCS),
        str(DOCS),
        str(out / "html"),
        str(out / "doctrees"),
        "html",
        status=io.StringIO(),
        warning=io.StringIO(),
        freshenv=True,
    )
    app.build()
    return out / "html"


def reader_pages() -> list[Path]:
    return [
        md
        for md in sorted(DOCS.rglob("*.md"))
        if "_build" not in md.parts and parse_page(md).example
    ]


def undefined_names(source: str, allowed: set[str]) -> list[str]:
    """pyflakes' undefined names and syntax errors, but for ``allowed``."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno}: {error.msg}"]
    checker = pyflakes.checker.Checker(tree, filename="copied.py")
    return [
        f"line {message.lineno}: undefined name {message.message_args[0]!r}"
        for message in checker.messages
        if isinstance(message, pyflakes.messages.UndefinedName)
        and message.message_args[0] not in allowed
    ]


def top_level_definitions(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("md", reader_pages(), ids=lambda md: str(md.relative_to(ROOT)))
def test_each_file_copied_from_a_page_is_complete(built: Path, md: Path) -> None:
    page = parse_page(md)
    example = EXAMPLES / str(page.example)
    parser = CodeBlocks()
    html_page = built / md.relative_to(DOCS).with_suffix(".html")
    parser.feed(html_page.read_text(encoding="utf-8"))
    by_file: dict[str, list[str]] = {}
    problems = []
    for caption, language, text in parser.blocks:
        if language != "python":
            continue
        if not caption:
            problems.append(f"a python block without a caption naming its file:\n{text[:200]}")
            continue
        by_file.setdefault(caption, []).append(html.unescape(text))
    complete = assembly.complete_files(page, example)
    for path, texts in by_file.items():
        if path == assembly.SETTINGS:
            source = assembly.startproject_files()[path]
            for text in texts:
                source = assembly.merge_settings(source, text)
            allowed: set[str] = set()
        else:
            source = assembly.join_blocks(texts)
            original = example / path
            shown_whole = path in complete or not original.exists()
            allowed = set() if shown_whole else top_level_definitions(original.read_text())
        problems += [f"{path}, {problem}" for problem in undefined_names(source, allowed)]
    assert not problems, f"{md.relative_to(ROOT)}:\n" + "\n".join(problems)
