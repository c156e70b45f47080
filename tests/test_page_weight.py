"""The site's lighter pages (docs/_ext/cookbook_sphinx/page_weight.py) show the same code.

The browser tests check how the built pages behave; these check, on the built site,
that what the lightening removes is only what shows the same without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cookbook_harness.layout import ROOT
from cookbook_sphinx.page_weight import lean_html

SITE = ROOT / "docs" / "_build" / "html"


def test_indentation_goes_only_where_it_does_not_show() -> None:
    html = (
        "<div>\n    <p>two words,\n      three lines</p>\n\n\n"
        '  <pre tabindex="0">def f():\n    return 1\n\n</pre>\n'
        "  <textarea>\n  kept</textarea>\n  <script>\n  if (a) {\n    b()\n  }</script>\n"
        "  <style>\n  p {}</style>\n</div>\n"
    )
    assert lean_html(html) == (
        "<div>\n<p>two words,\nthree lines</p>\n"
        '<pre tabindex="0">def f():\n    return 1\n\n</pre>\n'
        "<textarea>\n  kept</textarea>\n<script>\n  if (a) {\n    b()\n  }</script>\n"
        "<style>\n  p {}</style>\n</div>\n"
    )


def _built_pages() -> list[Path]:
    return sorted(SITE.glob("recipes/*.html"))


@pytest.mark.skipif(not SITE.is_dir(), reason="the site is not built (make html)")
@pytest.mark.parametrize("page", _built_pages(), ids=lambda path: path.stem)
def test_a_built_page_is_lean_and_its_code_untouched(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert lean_html(html) == html
    # Every code block keeps its own line breaks and indentation.
    blocks = re.findall(r"<pre\b.*?</pre>", html, re.S)
    assert blocks and any("\n    " in block for block in blocks)
