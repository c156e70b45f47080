"""The structure of a MyST page: its front matter, code blocks and variant tabs.

Pages are parsed with MyST's own markdown-it configuration, recursing into
directives the way MyST does, so a block nested in a ``{group-tab}`` is found
and known to belong to that tab.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import yaml
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from .layout import VARIANT_LABELS, VARIANTS

DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")


@dataclasses.dataclass(frozen=True)
class Block:
    """A code block or code directive, with the line (1-based) of its opening."""

    line: int
    language: str
    directive: str | None
    argument: str
    options: dict[str, str]
    variant: str | None
    content: str = ""

    @property
    def included(self) -> bool:
        return self.directive == "literalinclude"


@dataclasses.dataclass(frozen=True)
class Tab:
    first_line: int
    last_line: int
    label: str


@dataclasses.dataclass
class Page:
    path: Path
    front_matter: dict[str, Any]
    blocks: list[Block]
    tabs: list[Tab]

    @property
    def variants(self) -> tuple[str, ...]:
        """Both variants when the page has variant tabs, else only the insecure one."""
        found = {VARIANT_LABELS[t.label] for t in self.tabs if t.label in VARIANT_LABELS}
        return VARIANTS if found else ("insecure",)

    @property
    def has_variants(self) -> bool:
        return any(t.label in VARIANT_LABELS for t in self.tabs)

    def variant_at(self, line: int) -> str | None:
        for tab in self.tabs:
            if tab.first_line <= line <= tab.last_line and tab.label in VARIANT_LABELS:
                return VARIANT_LABELS[tab.label]
        return None

    @property
    def example(self) -> str | None:
        return self.front_matter.get("example")


CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "code-cell", "literalinclude"}


@functools.cache
def _parser() -> Any:
    config = MdParserConfig(enable_extensions={"colon_fence", "deflist", "fieldlist"})
    return create_md_parser(config, RendererHTML)


def parse_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    page = Page(path, {}, [], [])
    _walk(text, 0, None, page)
    return page


def _split_options(content: str) -> tuple[dict[str, str], int]:
    """Directive options at the top of a body, and how many lines they take."""
    lines = content.splitlines()
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1)
        options = {
            str(k): str(v) for k, v in (yaml.safe_load("\n".join(lines[1:end])) or {}).items()
        }
        return options, end + 1
    count = 0
    for line in lines:
        match = OPTION.match(line)
        if not match:
            break
        # MyST reads option values as YAML, so quotes around a value are not part of it.
        value = yaml.safe_load(match["value"]) if match["value"].strip() else ""
        options[match["key"]] = str(value)
        count += 1
    return options, count


def _walk(text: str, offset: int, variant: str | None, page: Page) -> None:
    for token in _parser().parse(text):
        if token.type == "front_matter" and offset == 0:
            page.front_matter = yaml.safe_load(token.content) or {}
            continue
        if token.type not in ("fence", "colon_fence") or token.map is None:
            continue
        first = offset + token.map[0] + 1
        info = token.info.strip()
        match = DIRECTIVE.match(info)
        if match is None:
            language = info.split()[0] if info else ""
            page.blocks.append(Block(first, language, None, "", {}, variant, token.content))
            continue
        name, argument = match["name"], match["argument"].strip()
        options, option_lines = _split_options(token.content)
        if name in CODE_DIRECTIVES:
            language = options.get("language", "") if name == "literalinclude" else argument
            content = "\n".join(token.content.splitlines()[option_lines:])
            page.blocks.append(Block(first, language, name, argument, options, variant, content))
            continue
        # Any other directive (tabs, admonitions, ...) holds MyST content.
        body_first = token.map[0] + 1 + option_lines
        body = "\n".join(token.content.splitlines()[option_lines:]) + "\n"
        if name == "group-tab":
            last = offset + token.map[1]
            page.tabs.append(Tab(first, last, argument))
            inner = VARIANT_LABELS.get(argument, variant)
        else:
            inner = variant
        _walk(body, offset + body_first, inner, page)
