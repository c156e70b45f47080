"""A reader's project, assembled from a page the way a reader assembles it.

A reader starts with ``django-admin startproject mysite`` and ``startapp``,
then copies each block whose caption names a file into that file. The rule,
which docs/explanation/how-snippets-are-tested.md states for readers:

* A settings fragment (a block captioned ``mysite/settings.py``) is merged into
  the settings file: its imports go on top, each top-level assignment or
  function replaces the one of the same name, and a name the file does not have
  yet goes right before the first one the fragment replaces, or at the end.
* A file whose blocks on the page, together, are the whole file is written from
  the blocks alone, in page order.
* Any other file the project needs comes from the example's download, and only
  if the page lists it as not shown (the ``{not-shown}`` directive, whose list
  :func:`not_shown` makes from the example, never by hand).

Files that ``startproject``/``startapp`` make as the example has them, the
migrations that ``makemigrations`` writes for the page's own apps, and the
example's README are not listed: the reader has them already.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

from .layout import EXAMPLES
from .pages import Block, Page

PROJECT = "mysite"
SETTINGS = f"{PROJECT}/settings.py"
MARKER = re.compile(r"^\s*#\s*\[/?docs:[\w-]+\]\s*$")
NOT_PART_OF_THE_PROJECT = {"README.md"}


@dataclasses.dataclass(frozen=True)
class Shown:
    """A block of a page that names its file in a caption, and the text it shows."""

    block: Block
    path: str
    text: str


def block_text(page: Page, block: Block) -> str:
    """What a block shows: the included lines (as Sphinx selects them) or its content."""
    if not block.included:
        return block.content
    from sphinx.config import Config
    from sphinx.directives.code import LiteralIncludeReader

    config = Config({}, {})
    config.source_encoding = "utf-8"
    source = (page.path.parent / block.argument).resolve()
    text, _ = LiteralIncludeReader(str(source), include_options(block.options), config).read()
    # docs/conf.py drops the blank lines kept before an end marker.
    return text.rstrip("\n") + "\n"


def include_options(options: dict[str, str]) -> dict[str, Any]:
    """A ``{literalinclude}``'s options as Sphinx hands them to its reader.

    The page gives every value as text; Sphinx converts each by the directive's
    option spec first (``:dedent: 4`` is the number 4), and the reader needs that.
    """
    from sphinx.directives.code import LiteralInclude

    spec = LiteralInclude.option_spec or {}
    return {name: spec[name](value) if name in spec else value for name, value in options.items()}


def shown_files(page: Page) -> list[Shown]:
    """Every block of the page with a ``:caption:`` naming a file, in page order."""
    return [
        Shown(block, block.options["caption"], block_text(page, block))
        for block in page.blocks
        if block.options.get("caption") and _looks_like_a_path(block.options["caption"])
    ]


def _looks_like_a_path(caption: str) -> bool:
    return " " not in caption and "." in caption.rsplit("/", 1)[-1]


def _lines(text: str) -> list[str]:
    """A file's lines as a reader compares them: no blank lines, no docs markers."""
    return [line.rstrip() for line in text.splitlines() if line.strip() and not MARKER.match(line)]


def complete_files(page: Page, example: Path) -> dict[str, str]:
    """The files the page shows whole (settings aside), with their text as shown."""
    by_path: dict[str, list[str]] = {}
    for shown in shown_files(page):
        by_path.setdefault(shown.path, []).append(shown.text)
    complete = {}
    for path, texts in by_path.items():
        if path == SETTINGS:
            continue
        joined = join_blocks(texts)
        original = example / path
        if original.is_file() and _lines(joined) == _lines(original.read_text()):
            complete[path] = joined
    return complete


def join_blocks(texts: list[str]) -> str:
    """Blocks of one file, in page order, as a reader pastes them one after another."""
    return "\n\n".join(text.strip("\n") for text in texts) + "\n"


# --- what startproject and startapp make -------------------------------------------------


@functools.cache
def _templates() -> Path:
    import django

    return Path(django.__file__).parent / "conf"


# A variable, the only template syntax startproject's and startapp's files use.
_VARIABLE = re.compile(r"\{\{ (\w+) \}\}")


def _render(template: Path, context: dict[str, str]) -> str:
    """A template of startproject or startapp, as they render it. Those use variables
    alone, which are put in here as Django's engine puts them in (without escaping):
    importing the engine would cost a build that reads a page with ``{not-shown}``
    0.13 s. A template with any other syntax goes through the engine."""
    text = template.read_text()
    names = _VARIABLE.findall(text)
    rest = _VARIABLE.sub("", text)
    if set(names) <= context.keys() and not any(mark in rest for mark in ("{{", "{%", "{#")):
        return _VARIABLE.sub(lambda match: context[match[1]], text)
    from django.template import Context, Engine

    engine = Engine(debug=False, autoescape=False)
    return engine.from_string(text).render(Context(context, autoescape=False))


@functools.cache
def startproject_files() -> dict[str, str]:
    """``django-admin startproject mysite``'s files, relative to the project's root."""
    root = _templates() / "project_template"
    context = {"project_name": PROJECT, "secret_key": "", "docs_version": "", "django_version": ""}
    return {
        str(path.relative_to(root)).replace("project_name", PROJECT).removesuffix("-tpl"): _render(
            path, context
        )
        for path in root.rglob("*-tpl")
    }


@functools.cache
def startapp_files(app: str) -> dict[str, str]:
    """``python manage.py startapp <app>``'s files, relative to the project's root."""
    root = _templates() / "app_template"
    camel = "".join(part.capitalize() for part in app.split("_"))
    context = {"app_name": app, "camel_case_app_name": camel, "docs_version": ""}
    return {
        f"{app}/{str(path.relative_to(root)).removesuffix('-tpl')}": _render(path, context)
        for path in root.rglob("*-tpl")
    }


def same_code(one: str, other: str, path: str) -> bool:
    """Whether two versions of a file are the same program (comments and docstrings aside)."""
    if not path.endswith(".py"):
        return one.strip() == other.strip()
    try:
        return _without_docstrings(one) == _without_docstrings(other)
    except SyntaxError:
        return False


def _without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body.pop(0)
    return ast.dump(tree)


# --- the not-shown list -------------------------------------------------------------------


def example_files(example: Path) -> list[str]:
    """The example project's files, as its download holds them."""
    skipped_dirs = {"__pycache__", ".pytest_cache", ".hypothesis", "certs", ".venv", "node_modules"}
    return sorted(
        str(path.relative_to(example))
        for path in example.rglob("*")
        if path.is_file()
        and not skipped_dirs.intersection(path.relative_to(example).parts)
        and path.suffix not in {".pyc", ".db", ".sqlite3", ".log"}
        and not path.name.startswith(".coverage")
    )


def apps_of(example: Path) -> list[str]:
    """The example's own apps: its folders with an apps.py."""
    return sorted(path.parent.name for path in example.glob("*/apps.py"))


def not_shown(page: Page, example: Path | None = None) -> list[str]:
    """The example's files a reader's project needs that the page does not show whole."""
    example = example or EXAMPLES / str(page.example)
    complete = complete_files(page, example)
    made = dict(startproject_files())
    for app in apps_of(example):
        made |= startapp_files(app)
    needed = []
    for path in example_files(example):
        if path in complete or path == SETTINGS or path in NOT_PART_OF_THE_PROJECT:
            continue
        parts = Path(path).parts
        if len(parts) == 3 and parts[1] == "migrations" and parts[2][:1].isdigit():
            continue  # makemigrations, on the page, writes these
        if path in made and same_code(made[path], (example / path).read_text(), path):
            continue
        needed.append(path)
    return needed


# --- writing blocks into a project ------------------------------------------------------------


def merge_settings(settings: str, fragment: str) -> str:
    """A settings fragment merged into a settings file, by the rule in the module docstring."""
    tree = ast.parse(settings)
    lines = settings.splitlines(keepends=True)
    imports: list[str] = []
    chunks: list[tuple[str | None, str]] = []
    fragment_lines = fragment.splitlines(keepends=True)
    start = 0
    for node in ast.parse(fragment).body:
        first = _first_line(node, fragment_lines)
        text = "".join(fragment_lines[start if start < first else first : node.end_lineno])
        start = node.end_lineno or first
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(text.strip("\n") + "\n")
        else:
            chunks.append((_defined_name(node), text.strip("\n") + "\n"))
    existing = {name: node for node in tree.body if (name := _defined_name(node)) is not None}
    replacements: dict[int, tuple[int, str]] = {}
    new: list[str] = []
    first_replaced: int | None = None
    for name, text in chunks:
        node = existing.get(name) if name else None
        if node is None:
            new.append(text)
            continue
        begin = _first_line(node, lines)
        replacements[begin] = (node.end_lineno or begin, text)
        first_replaced = begin if first_replaced is None else min(first_replaced, begin)
    output: list[str] = []
    index = 0
    while index < len(lines):
        if index == first_replaced and new:
            output.append("\n".join(new) + "\n")
            new = []
        if index in replacements:
            end, text = replacements[index]
            output.append(text)
            index = end
            continue
        output.append(lines[index])
        index += 1
    if new:
        output.append("\n\n" + "\n".join(new))
    merged = "".join(output)
    return _add_imports(merged, [i for i in imports if i.strip() not in merged])


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    return None


def _first_line(node: ast.stmt, lines: list[str]) -> int:
    """The 0-based first line of a statement, with the comments right above it."""
    first = node.lineno - 1
    decorators = getattr(node, "decorator_list", [])
    if decorators:
        first = min(d.lineno for d in decorators) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def _add_imports(source: str, imports: list[str]) -> str:
    """Imports go on top: after the module docstring and the file's own imports."""
    if not imports:
        return source
    tree = ast.parse(source)
    after = 0
    for node in tree.body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if docstring or isinstance(node, ast.Import | ast.ImportFrom):
            after = node.end_lineno or after
        else:
            break
    lines = source.splitlines(keepends=True)
    block = "".join(imports)
    return "".join(lines[:after]) + ("\n" if after else "") + block + "".join(lines[after:])
