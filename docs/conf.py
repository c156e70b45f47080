"""Sphinx configuration for the tested Django cookbook."""

from __future__ import annotations

import os
from pathlib import Path

import sphinx_copybutton
import sphinx_tabs
from docutils import nodes
from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata
from sphinx_tabs.tabs import SphinxTabsPanel

# The harness (documented in the reference section), the Nitro recipe's Django
# dispatcher (documented on its page) and the site's own extensions are installed
# with the repository's package (pyproject.toml).

project = "Tested Django Cookbook"
author = "The cookbook authors"
copyright = "2026, the cookbook authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
    "sphinx_copybutton",
    "sphinx_tabs.tabs",
    "cookbook_sphinx.snippet_status",
    "cookbook_sphinx.reader_project",
    "cookbook_sphinx.page_weight",
]

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
language = "en"

html_theme = "furo"
# One pair of code styles with few colours: lighter pages (cookbook_sphinx/page_weight.py).
pygments_style = "cookbook_sphinx.page_weight.LightStyle"
pygments_dark_style = "cookbook_sphinx.page_weight.DarkStyle"
html_title = "Tested Django Cookbook"
# sphinx-tabs and sphinx-copybutton add their own folders when the builder starts,
# after Sphinx has compared this configuration with the last build's: named here
# too (and their second copy dropped), the two are equal and a build that changes
# nothing says nothing about the configuration.
html_static_path = [
    (Path(sphinx_tabs.__file__).parent / "static").as_posix(),
    "_static",
    str(Path(sphinx_copybutton.__file__).parent / "_static"),
]
templates_path = ["_templates"]
# With the priority Sphinx would give it (and write back into this list).
html_css_files = [("cookbook.css", {"priority": 800})]
# A favicon of our own, or browsers ask the server for /favicon.ico on every page.
html_favicon = "_static/favicon.svg"
# Nothing may be fetched from another host when a page is viewed.
html_theme_options = {"navigation_with_keys": True}

# Copy only the commands: not the prompts, not the output lines.
# A bare "..." is the prompt of the empty line that ends a compound statement in
# a pycon block: it is copied as that empty line, which the REPL needs.
copybutton_prompt_text = r"\$ |>>> |\.\.\.(?: |$)|=> |-> "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_line_continuation_character = "\\"
# Output (Pygments marks it .go) is dropped before the prompts are looked for: in a
# console block an output line may begin with the "... " wildcard, which the
# pattern above would take for a pycon continuation prompt.
copybutton_exclude = ".linenos, .go"
# What is left of an output line is an empty line: not part of any command.
copybutton_copy_empty_lines = False

# Tabs labelled Secure / Insecure switch together on a page and across pages.
sphinx_tabs_disable_tab_closing = True

nitpicky = True
nitpick_ignore_regex = [
    # Standard library and third-party types: their inventories (intersphinx)
    # cannot be fetched during an offline build.
    (r"py:(class|data)", r"(psycopg|pwd|pathlib|collections\.abc|typing|subprocess|sybil)(\..*)?"),
    (r"py:class", r"Path|Example|Document|Region|Sybil"),
    (r"py:(class|obj|meth)", r"(django|nitro|datastar_py|sqlmodel|sqlalchemy)(\..*)?"),
    (r"py:class", r"URLPattern|HttpRequest|HttpResponse|ActionMetadata|NitroDispatcher"),
]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
typehints_fully_qualified = False
always_document_param_types = False


def _trim_included_blocks(app: Sphinx, doctree: nodes.document) -> None:
    """Drop the blank lines that ruff keeps between a definition and its end marker."""
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if block.get("source") and text != text.rstrip("\n"):
            block.children = [nodes.Text(text.rstrip("\n"))]
            block.rawsource = text.rstrip("\n")


def _valid_tab_panels(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Make sphinx-tabs' panels valid HTML: ``hidden`` takes no "true", a div no ``name``.

    tabs.js finds the tabs of a group by the buttons' ``name``, never the panels'.
    """
    for panel in doctree.findall(SphinxTabsPanel):
        panel.attributes.pop("name", None)
        if "hidden" in panel.attributes:
            panel["hidden"] = "hidden"


def _unique_static_path(app: Sphinx) -> None:
    """Drop the second copy of each folder in ``html_static_path`` (see above)."""
    seen: set[str] = set()
    unique = []
    for path in app.config.html_static_path:
        resolved = os.path.normpath(app.confdir / path)
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    app.config.html_static_path[:] = unique


def _forget_theme_options(app: Sphinx) -> None:
    """Leave out of the pickled configuration what the theme registered.

    Furo registers ``pygments_dark_style`` when the builder loads it, after Sphinx
    has compared this configuration with the last build's; pickled with the
    environment, it would make every later build say the configuration changed.
    Furo has read it by now (in its own builder-inited handler).
    """
    app.config._options.pop("pygments_dark_style", None)


def _cache_compiled_templates(app: Sphinx) -> None:
    """Keep the theme's compiled templates between builds, beside the pickled environment.

    Sphinx compiles every Jinja template it renders in each new process: about a
    fifth of the CPU of a build after touching one page. Jinja checks each cached
    template against its source.
    """
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is not None:
        cache = app.doctreedir / "jinja"
        cache.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(cache))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", _trim_included_blocks)
    app.connect("doctree-resolved", _valid_tab_panels)
    # After sphinx-tabs, sphinx-copybutton and furo (priority 500).
    app.connect("builder-inited", _unique_static_path, priority=900)
    app.connect("builder-inited", _forget_theme_options, priority=900)
    app.connect("builder-inited", _cache_compiled_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
