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
- **No indentation in the pages** outside code and preformatted text (:func:`lean_html`).
- **A 1 KB stand-in for clipboard.js**, the 9 KB library sphinx-copybutton loads:
  ``_static/clipboard.js``, the part of it the copy buttons use.
- **Only the site's language in the copy buttons' script**: sphinx-copybutton's script
  carries its messages in seven languages and uses those of the page's ``lang``, or
  English (:func:`copy_messages_for`).
- **Only the icons a page shows** in furo's inline SVG sprite (:func:`used_symbols_only`).
- **Search words highlighted on demand.** Sphinx's sphinx_highlight.js (3.5 KB) only
  does something on a page reached from a search; elsewhere a one-line loader stands
  in for it and loads it only then (:func:`_highlight_on_demand`).
- **Unused CSS dropped, comments too.** After a build, the rules of the stylesheets
  that no page of the site can use are dropped (see lean_css.py), and the scripts lose
  their comments and indentation (lean_js.py); each link gets the new checksum.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import zlib
from collections.abc import Callable
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

from . import lean_css, lean_js

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


@functools.cache
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


@functools.cache
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


# The script that stands in for clipboard.min.js (see _replace_clipboard_library).
CLIPBOARD = "clipboard.js"

# Sphinx's script that highlights the words of the last search on the page it opens,
# and what stands in for it on the pages (see _highlight_on_demand).
HIGHLIGHT = "_static/sphinx_highlight.js"
HIGHLIGHT_LOADER = (
    'try{if(localStorage.getItem("sphinx_highlight_terms")'
    '||new URLSearchParams(location.search).has("highlight")){'
    'const s=document.createElement("script");'
    "s.src=document.currentScript.dataset.src;document.head.append(s)}}catch(e){}"
)

# --- unused CSS -------------------------------------------------------------------------

# What the last builds found, beside the pickled environment: each page's and script's
# classes, ids and elements (by the hash of its text), and the lean stylesheets (by the
# hash of the stylesheets and of what the site uses). A rebuild after editing one page
# reads the others' figures from here, and the lean stylesheets too, unless that page
# brought a class or an element that no page had.
CACHE_FILE = "page-weight-cache.pickle"


def _digest(*texts: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _local_file(folder: str, url: str) -> str | None:
    """The file of the build that ``url``, on a page of ``folder``, names (or None)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if not path or "://" in path or path.startswith(("data:", "//")):
        return None
    return os.path.normpath(os.path.join(folder, path))


def _pages(outdir: Path) -> dict[str, str]:
    """Every page of the build, by path: not Sphinx's own folders (_static, _sources)."""
    pages = {}
    for folder, dirs, files in os.walk(outdir):
        if folder == str(outdir):
            dirs[:] = [name for name in dirs if not name.startswith("_")]
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as page:
                    pages[path] = page.read()
    return pages


# Where white space shows as written (or is code): left as it is by lean_html.
_KEEP_SPACES = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2>)", re.DOTALL)


def lean_html(html: str) -> str:
    """``html`` without the templates' indentation and empty lines. Outside ``<pre>``,
    ``<textarea>``, scripts and styles, a line break with spaces after it shows as the
    line break alone (one space), so the page looks the same."""
    parts = _KEEP_SPACES.split(html)
    # split() gives text, then for each match the element and its tag name.
    for index in range(0, len(parts), 3):
        parts[index] = re.sub(r"\n\s+", "\n", parts[index])
    return "".join(part for index, part in enumerate(parts) if index % 3 != 2)


# sphinx-copybutton's messages, one entry per language: ``'de' : { ... },``.
_COPY_MESSAGES = re.compile(
    r"^const messages = \{\n(?P<entries>.*?)\n\}[ \t]*\n", re.DOTALL | re.MULTILINE
)
_COPY_MESSAGE_ENTRY = re.compile(r"'(?P<language>[\w-]+)'\s*:\s*\{[^{}]*\}")


def copy_messages_for(script: str, language: str) -> str:
    """sphinx-copybutton's copybutton.js with only the messages its buttons can show on
    this site's pages: those of ``language`` (every page's ``lang``) and English, its
    fallback. A script not in the expected shape comes back unchanged."""
    table = _COPY_MESSAGES.search(script)
    if table is None:
        return script
    entries = [
        entry.group()
        for entry in _COPY_MESSAGE_ENTRY.finditer(table.group("entries"))
        if entry.group("language") in {"en", language}
    ]
    if not entries:
        return script
    kept = "const messages = {\n" + ",\n".join(entries) + "\n}\n"
    return script[: table.start()] + kept + script[table.end() :]


_SYMBOL = re.compile(r'<symbol id="(?P<id>[\w-]+)"[^>]*>.*?</symbol>\n?', re.DOTALL)


def used_symbols_only(html: str) -> str:
    """``html`` without the symbols of furo's inline SVG sprite that nothing on the page
    shows (``<use href="#id">``); furo's scripts and stylesheets name none."""
    return _SYMBOL.sub(
        lambda symbol: symbol.group() if f'href="#{symbol["id"]}"' in html else "", html
    )


def _lighten_assets(app: Sphinx, exception: Exception | None) -> None:
    """Make every stylesheet and script the pages load lean, then give each link the
    checksum of what its file now holds (``?v=``, which Sphinx took from the file as it
    copied it, before this)."""
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    outdir = Path(app.builder.outdir).resolve()
    cache_path = Path(app.doctreedir) / CACHE_FILE
    try:
        cache = pickle.loads(cache_path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, ImportError):
        # Missing, damaged, or written by an older version of this extension whose
        # classes lived elsewhere: measured again from the pages.
        cache = {}
    known: dict[str, lean_css.Used] = cache.get("used", {})
    found: dict[str, lean_css.Used] = {}

    def used_by(text: str, reader: Callable[[str], lean_css.Used]) -> lean_css.Used:
        key = _digest(text)
        found[key] = known.get(key) or reader(text)
        return found[key]

    pages = _pages(outdir)
    used = lean_css.Used()
    stylesheets: set[str] = set()
    scripts: set[str] = set()
    for path, html in pages.items():
        used.update(used_by(html, lean_css.used_by_page))
        folder = os.path.dirname(path)
        for url in re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', html):
            if target := _local_file(folder, url):
                stylesheets.add(target)
        for url in re.findall(r'<script[^>]*src="([^"]+)"', html):
            if target := _local_file(folder, url):
                scripts.add(target)
    # Only the theme's and the extensions' files: searchindex.js, beside the pages, is
    # data that Sphinx reads back on the next build.
    static = str(outdir / "_static") + os.sep
    sources = {
        path: Path(path).read_text(encoding="utf-8")
        for path in sorted(stylesheets | scripts)
        if path.startswith(static) and os.path.isfile(path)
    }
    for path in scripts & sources.keys():
        used.update(used_by(sources[path], lean_css.used_by_script))

    sheets = {path: text for path, text in sources.items() if path in stylesheets}
    key = _digest(*sheets, *sheets.values(), used.key())
    lean = dict(cache.get("sheets", {}).get(key) or lean_css.lean(sheets, used, ()))
    known_scripts: dict[str, str] = cache.get("scripts", {})
    lean_scripts: dict[str, str] = {}
    for path in sorted(scripts & sources.keys()):
        if path.endswith(".min.js"):
            continue  # already as small as it gets
        text = sources[path]
        if os.path.basename(path) == "copybutton.js":
            text = copy_messages_for(text, app.config.language or "en")
        digest = _digest(text)
        lean_scripts[digest] = known_scripts.get(digest) or lean_js.lean_script(text)
        lean[path] = lean_scripts[digest]
    checksums = {}
    for path, text in lean.items():
        if text != sources[path]:
            Path(path).write_text(text, encoding="utf-8")
        checksums[path] = f"{zlib.crc32(text.encode('utf-8')):08x}"
    for page, html in pages.items():
        folder = os.path.dirname(page)

        def checksum_of(link: re.Match[str], folder: str = folder) -> str:
            target = os.path.normpath(os.path.join(folder, link.group(2)))
            return f"{link.group(1)}{checksums.get(target, link.group(3))}"

        fixed = re.sub(
            r'((?:href|src)="([^"?]+\.(?:css|js))\?v=)([0-9a-f]+)',
            checksum_of,
            used_symbols_only(lean_html(html)),
        )
        if fixed != html:
            Path(page).write_text(fixed, encoding="utf-8")
    cache_path.write_bytes(
        pickle.dumps(
            {"used": found, "sheets": {key: {p: lean[p] for p in sheets}}, "scripts": lean_scripts}
        )
    )


class CompactTranslator(HTML5Translator):
    """Sphinx's HTML writer, without a ``<span class="pre">`` around each word of inline
    code (furo gives that class no style, so the words show and wrap the same), and
    without the ``docutils`` class on inline code (no style uses it there)."""

    def starttag(self, node: Any, tagname: str, *args: Any, **attributes: Any) -> str:
        if tagname == "code" and attributes.get("CLASS") == "docutils literal notranslate":
            attributes["CLASS"] = "literal notranslate"
        return super().starttag(node, tagname, *args, **attributes)

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


def _replace_clipboard_library(app: Sphinx) -> None:
    """Load clipboard.js (``_static``, 1 KB) in place of sphinx-copybutton's
    clipboard.min.js (9 KB): the part of that library its copy buttons use."""
    app.registry.js_files[:] = [
        (CLIPBOARD if filename == "clipboard.min.js" else filename, attributes)
        for filename, attributes in app.registry.js_files
    ]


def _highlight_on_demand(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """On every page but the search page, a loader in place of sphinx_highlight.js.

    That script highlights the words of a search on the page the reader opens next:
    the search page leaves them in ``localStorage`` (``sphinx_highlight_terms``), a
    link may give them as ``?highlight=``. With neither it does nothing, so the loader
    fetches it only when one is there. The search page keeps the script itself: its
    searchtools.js reads the script's ``SPHINX_HIGHLIGHT_ENABLED``. The loader's
    ``data-src`` gets the file's checksum with the other links (_lighten_assets)."""
    scripts = context.get("script_files")
    if pagename == "search" or not isinstance(scripts, list):
        return
    for index, script in enumerate(scripts):
        if getattr(script, "filename", None) == HIGHLIGHT:
            source = context["pathto"](HIGHLIGHT, resource=True) + "?v=0"
            scripts[index] = type(script)(
                "", priority=script.priority, body=HIGHLIGHT_LOADER, **{"data-src": source}
            )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx_copybutton")
    _replace_clipboard_library(app)
    app.set_translator("html", CompactTranslator)
    app.connect("builder-inited", _use_compact_highlighting)
    app.connect("html-page-context", _highlight_on_demand)
    # After furo's own build-finished handler (priority 500).
    app.connect("build-finished", _write_pygments_css, priority=900)
    app.connect("build-finished", _lighten_assets, priority=950)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
