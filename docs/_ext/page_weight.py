"""Sphinx extension: light pages without dropping content.

A recipe page is mostly highlighted code, and most of that was markup: Pygments wraps
every token in a ``<span class="...">``, names and punctuation included, and furo
ships one stylesheet for everything Sphinx can produce. Here:

- **One style pair, few colours.** :class:`LightStyle` and :class:`DarkStyle` colour
  comments, keywords, strings, numbers, the names a definition introduces, shell
  variables, tags and errors, with the colours of the a11y-light and a11y-dark styles
  (made for WCAG contrast). Every other token keeps the block's own colour.
- **Spans only where they show.** :class:`CompactFormatter` gives each token the
  class of the nearest styled token type it belongs to, so a run of tokens that look
  the same is one span, and text in the block's own colour none. Output lines keep
  their ``go`` class: sphinx-copybutton leaves them out by it.
- **One small stylesheet for both schemes.** The colours are custom properties, set
  for light and for dark as furo sets its own; ``pygments.css`` holds the rules once.
- **No element per word of inline code**: see :class:`CompactTranslator`.
- **Unused CSS dropped.** After a build, the rules of furo's stylesheets whose
  selectors name a class, id or element that no page of the site and no script it
  loads uses are dropped (see :func:`unused_rules_dropped`).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pygments.formatters.html import HtmlFormatter
from pygments.style import Style
from pygments.token import (
    STANDARD_TYPES,
    Comment,
    Error,
    Generic,
    Keyword,
    Name,
    Number,
    Operator,
    String,
    Text,
    Token,
    _TokenType,
)
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.typing import ExtensionMetadata
from sphinx.writers.html5 import HTML5Translator

# Colours of a11y-light and a11y-dark (accessible-pygments), by what they mark.
LIGHT = {
    "text": "#1e1e1e",
    "comment": "#515151",
    "red": "#d71835",
    "orange": "#7f4707",
    "green": "#116633",
    "blue": "#00749c",
    "purple": "#8045e5",
}
DARK = {
    "text": "#f8f8f2",
    "comment": "#d4d0ab",
    "red": "#ffa07a",
    "orange": "#f5ab35",
    "green": "#abe338",
    "blue": "#00e0e0",
    "purple": "#dcc6e0",
}
# What is coloured, and with which colour. Everything else is the block's text colour.
COLOURED: dict[_TokenType, str] = {
    Comment: "comment",
    Keyword: "purple",
    Operator.Word: "purple",
    Name.Exception: "purple",
    String: "green",
    Number: "orange",
    Name.Decorator: "orange",
    Name.Attribute: "orange",
    Name.Function: "blue",
    Name.Class: "blue",
    Name.Tag: "blue",
    Name.Variable: "red",
    Generic.Error: "red",
    Generic.Traceback: "red",
    Generic.Deleted: "red",
    Generic.Inserted: "green",
    Generic.Heading: "blue",
    Generic.Subheading: "blue",
    Error: "red",
}
# Classes that mean something besides colour: sphinx-copybutton drops ``.go`` lines.
KEPT: tuple[_TokenType, ...] = (Generic.Output,)


def _styles(colours: dict[str, str]) -> dict[_TokenType, str]:
    styles = {Text: colours["text"]}
    styles.update({ttype: colours[name] for ttype, name in COLOURED.items()})
    return styles


class LightStyle(Style):
    """The light scheme's code colours (``pygments_style``)."""

    name = "cookbook-light"
    background_color = "#f2f2f2"
    highlight_color = "#fdf2e2"
    styles: ClassVar[dict[_TokenType, str]] = _styles(LIGHT)


class DarkStyle(Style):
    """The dark scheme's code colours (furo's ``pygments_dark_style``)."""

    name = "cookbook-dark"
    background_color = "#2b2b2b"
    highlight_color = "#49483e"
    styles: ClassVar[dict[_TokenType, str]] = _styles(DARK)


def shown_as(ttype: _TokenType) -> _TokenType:
    """The token type whose class a token of ``ttype`` gets: the nearest coloured or
    kept one it belongs to, else plain text (no span)."""
    current: _TokenType | None = ttype
    while current is not None:
        if current in COLOURED or current in KEPT:
            return current
        current = current.parent
    return Token.Text


class CompactFormatter(HtmlFormatter):  # type: ignore[type-arg]
    """Pygments' HTML formatter, with a class only on tokens that look different."""

    def format_unencoded(self, tokensource: Any, outfile: Any) -> None:
        super().format_unencoded(
            ((shown_as(ttype), value) for ttype, value in tokensource), outfile
        )

    def get_style_defs(self, arg: Any = None) -> str:
        return stylesheet()


def _classes(ttype: _TokenType) -> list[str]:
    """The standard class of ``ttype`` and of every token type below it, so that
    highlighting made elsewhere (sphinx-autodoc-typehints' values) is coloured too."""
    return sorted(
        STANDARD_TYPES[sub]
        for sub in STANDARD_TYPES
        if sub in ttype and STANDARD_TYPES[sub] and shown_as(sub) == ttype
    )


def stylesheet() -> str:
    """pygments.css: the rules once, the colours per scheme as custom properties."""

    def properties(colours: dict[str, str], highlight: str) -> str:
        return ";".join(f"--code-{name}:{value}" for name, value in colours.items()) + (
            f";--code-hll:{highlight}"
        )

    by_colour: dict[str, list[str]] = {}
    for ttype, name in COLOURED.items():
        by_colour.setdefault(name, []).extend(f".{c}" for c in _classes(ttype))
    light = properties(LIGHT, LightStyle.highlight_color)
    dark = properties(DARK, DarkStyle.highlight_color)
    rules = [
        ".highlight{color:var(--code-text)}",
        ".highlight .hll{background-color:var(--code-hll)}",
        *(
            f".highlight :is({','.join(sorted(classes))}){{color:var(--code-{name})}}"
            for name, classes in by_colour.items()
        ),
        ".highlight :is(.gh,.gu,.gs){font-weight:bold}",
        f"body{{{light}}}",
        f'@media not print{{body[data-theme="dark"]{{{dark}}}',
        f'@media (prefers-color-scheme:dark){{body:not([data-theme="light"]){{{dark}}}}}}}',
    ]
    return "\n".join(rules) + "\n"


# --- unused CSS -------------------------------------------------------------------------


@dataclass
class Used:
    """What the built pages (and the scripts they load) can put in front of a stylesheet."""

    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    # Custom properties read with var(): by the stylesheets, the pages' style attributes.
    properties: set[str] = field(default_factory=set)

    def add_html(self, html: str) -> None:
        for value in re.findall(r'\sclass="([^"]*)"', html):
            self.classes.update(value.split())
        self.ids.update(re.findall(r'\sid="([^"]*)"', html))
        self.tags.update(tag.lower() for tag in re.findall(r"<([a-zA-Z][\w-]*)", html))
        self.properties.update(re.findall(r"var\((--[\w-]+)", html))

    def add_script(self, script: str) -> None:
        """Every word in the script's string literals: a class it may add, an id it
        may look for, an element it may create. More than it uses, never less."""
        for literal in re.findall(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`", script):
            words = re.findall(r"-?[_a-zA-Z][\w-]*", literal)
            self.classes.update(words)
            self.ids.update(words)
            self.tags.update(word.lower() for word in words)
            self.properties.update(word for word in words if word.startswith("--"))


def _split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets, parentheses and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def css_blocks(css: str) -> Iterator[tuple[str, str]]:
    """The top-level blocks of a stylesheet: (prelude, body). Comments are dropped,
    but for licence notices (``/*! ... */``); a statement such as ``@import x;`` comes
    back with an empty body and its ``;``."""
    index, start, depth, quote, opened = 0, 0, 0, "", 0
    while index < len(css):
        char = css[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif css.startswith("/*", index):
            end = css.index("*/", index + 2) + 2
            if depth == 0 and css.startswith("/*!", index):
                yield css[index:end], ""
            if depth == 0 and not css[start:index].strip():
                start = end
            index = end
            continue
        elif char in "\"'":
            quote = char
        elif char == "{":
            if depth == 0:
                opened = index
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                yield css[start:opened].strip(), css[opened + 1 : index]
                start = index + 1
        elif char == ";" and depth == 0:
            yield css[start : index + 1].strip(), ""
            start = index + 1
        index += 1


_FUNCTIONAL_PSEUDO = re.compile(r"::?[\w-]+\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")


def selector_may_match(selector: str, used: Used) -> bool:
    """Whether some page may have an element that ``selector`` selects: every class,
    id and element it names is used. Arguments of ``:not()``, ``:is()`` and the like,
    attribute selectors and states (``:hover``) are taken as satisfiable."""
    plain = _FUNCTIONAL_PSEUDO.sub("", selector)
    plain = re.sub(r"\[[^\]]*\]", "", plain)
    plain = re.sub(r"::?[\w-]+", "", plain)
    if any(name not in used.classes for name in re.findall(r"\.(-?[_a-zA-Z][\w-]*)", plain)):
        return False
    if any(name not in used.ids for name in re.findall(r"#(-?[_a-zA-Z][\w-]*)", plain)):
        return False
    for compound in re.split(r"[\s>+~]+", plain):
        element = re.match(r"[a-zA-Z][\w-]*", compound)
        if element and element.group().lower() not in used.tags:
            return False
    return True


def drop_unused_rules(css: str, used: Used) -> str:
    """The stylesheet without the rules (and selectors) that no page can match."""
    kept = []
    for prelude, body in css_blocks(css):
        if prelude.startswith("/*!") or prelude.endswith(";"):
            kept.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner = drop_unused_rules(body, used)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")  # @font-face, @keyframes, @page: whole
        else:
            selectors = [
                selector.strip()
                for selector in _split_top_level(prelude, ",")
                if selector_may_match(selector.strip(), used)
            ]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


def drop_unused_properties(css: str, read_elsewhere: set[str]) -> str:
    """The stylesheet without the custom properties that nothing reads with var()."""
    while True:
        read = read_elsewhere | set(re.findall(r"var\((--[\w-]+)", css))
        kept = []
        for prelude, body in css_blocks(css):
            if not body:
                kept.append(prelude)
            elif prelude.startswith("@") and "{" in body:
                inner = drop_unused_properties(body, read)
                if inner:
                    kept.append(f"{prelude}{{{inner}}}")
            else:
                declarations = [
                    declaration
                    for declaration in _split_top_level(body, ";")
                    if declaration.strip()
                    and not (
                        declaration.strip().startswith("--")
                        and declaration.split(":", 1)[0].strip() not in read
                    )
                ]
                if declarations:
                    kept.append(f"{prelude}{{{';'.join(declarations)}}}")
        smaller = "".join(kept)
        if smaller == css:
            return css
        css = smaller


def _local_target(page: Path, url: str) -> Path | None:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if not path or "://" in path or path.startswith(("data:", "//")):
        return None
    return (page.parent / path).resolve()


def _drop_unused_css(app: Sphinx, exception: Exception | None) -> None:
    """Drop from every stylesheet the pages link (but ours) what no page uses, then give
    each link the checksum of what its file now holds (``?v=``, which Sphinx took from
    the file as it copied it)."""
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    outdir = Path(app.builder.outdir).resolve()
    static = outdir / "_static"
    pages = {
        path: path.read_text(encoding="utf-8")
        for path in outdir.rglob("*.html")
        if not path.relative_to(outdir).parts[0].startswith("_")
    }
    used = Used()
    stylesheets: set[Path] = set()
    scripts: set[Path] = set()
    for path, html in pages.items():
        used.add_html(html)
        for url in re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', html):
            if (target := _local_target(path, url)) and target.is_file():
                stylesheets.add(target)
        for url in re.findall(r'<script[^>]*src="([^"]+)"', html):
            if (target := _local_target(path, url)) and target.is_file():
                scripts.add(target)
    for script in scripts:
        used.add_script(script.read_text(encoding="utf-8", errors="replace"))
    ours = {static / "pygments.css", *(static / name for name, _ in app.config.html_css_files)}
    sources = {path: path.read_text(encoding="utf-8") for path in stylesheets}
    read_by_ours = set()
    for path in ours & stylesheets:
        read_by_ours.update(re.findall(r"var\((--[\w-]+)", sources[path]))
    checksums = {}
    for path in sorted(stylesheets - ours):
        others = read_by_ours | used.properties
        for other, text in sources.items():
            if other != path:
                others.update(re.findall(r"var\((--[\w-]+)", text))
        lean = drop_unused_properties(drop_unused_rules(sources[path], used), others)
        path.write_text(lean, encoding="utf-8")
        checksums[path] = f"{zlib.crc32(lean.encode('utf-8')):08x}"
    for page, html in pages.items():
        fixed = html
        for path, checksum in checksums.items():
            href = re.escape(os.path.relpath(path, page.parent).replace(os.sep, "/"))
            fixed = re.sub(rf'(href="{href}\?v=)[0-9a-f]+"', rf'\g<1>{checksum}"', fixed)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")


class CompactTranslator(HTML5Translator):
    """Sphinx's HTML writer, without a ``<span class="pre">`` around each word of inline
    code: furo gives that class no style, so the words show (and wrap) the same."""

    def visit_Text(self, node: Any) -> None:
        if not self.protect_literal_text:
            super().visit_Text(node)
            return
        for token in self.words_and_spaces.findall(self.encode(node.astext())):
            if token.strip() or token in {" ", "\n"}:
                self.body.append(token)
            else:
                # Runs of spaces are kept, as Sphinx keeps them; the last one can wrap.
                self.body.append("&#160;" * (len(token) - 1) + " ")


def _use_compact_highlighting(app: Sphinx) -> None:
    if isinstance(app.builder, StandaloneHTMLBuilder):
        app.builder.highlighter.formatter = CompactFormatter


def _write_pygments_css(app: Sphinx, exception: Exception | None) -> None:
    """Furo writes its own pygments.css at the end of a build; ours goes back in its
    place (Sphinx wrote ours first, and the pages' ``?v=`` is its checksum)."""
    if exception is None and isinstance(app.builder, StandaloneHTMLBuilder):
        (Path(app.builder.outdir) / "_static" / "pygments.css").write_text(
            stylesheet(), encoding="utf-8"
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.set_translator("html", CompactTranslator)
    app.connect("builder-inited", _use_compact_highlighting)
    # After furo's own build-finished handler (priority 500).
    app.connect("build-finished", _write_pygments_css, priority=900)
    app.connect("build-finished", _drop_unused_css, priority=950)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
