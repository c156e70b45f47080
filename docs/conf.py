"""Sphinx configuration for the tested Django cookbook."""

from __future__ import annotations

import sys
from pathlib import Path

from docutils import nodes
from sphinx_tabs.tabs import SphinxTabsPanel

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The harness is documented in the reference section, and the Nitro recipe
# documents its Django dispatcher.
sys.path.insert(0, str(ROOT / "examples" / "nitro"))
# Our own extension: the snippet status from the test runs' reports, example downloads.
sys.path.insert(0, str(DOCS / "_ext"))

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
    "snippet_status",
    "reader_project",
]

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
language = "en"

html_theme = "furo"
html_title = "Tested Django Cookbook"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["cookbook.css"]
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
    (r"py:class", r"(psycopg|pwd|pathlib|collections\.abc|typing|subprocess|sybil)(\..*)?"),
    (r"py:class", r"Path|Example|Document|Region|Sybil"),
    (r"py:(class|obj|meth)", r"(django|nitro|datastar_py|sqlmodel|sqlalchemy)(\..*)?"),
    (r"py:class", r"URLPattern|HttpRequest|HttpResponse|ActionMetadata|NitroDispatcher"),
]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
typehints_fully_qualified = False
always_document_param_types = False


def _trim_included_blocks(app: object, doctree: nodes.document) -> None:
    """Drop the blank lines that ruff keeps between a definition and its end marker."""
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if block.get("source") and text != text.rstrip("\n"):
            block.children = [nodes.Text(text.rstrip("\n"))]
            block.rawsource = text.rstrip("\n")


def _valid_tab_panels(app: object, doctree: nodes.document, docname: str) -> None:
    """Make sphinx-tabs' panels valid HTML: ``hidden`` takes no "true", a div no ``name``.

    tabs.js finds the tabs of a group by the buttons' ``name``, never the panels'.
    """
    for panel in doctree.findall(SphinxTabsPanel):
        panel.attributes.pop("name", None)
        if "hidden" in panel.attributes:
            panel["hidden"] = "hidden"


def setup(app: object) -> None:
    app.connect("doctree-read", _trim_included_blocks)  # type: ignore[attr-defined]
    app.connect("doctree-resolved", _valid_tab_panels)  # type: ignore[attr-defined]
