"""The built pages are as lean_html leaves them, and their code keeps its indentation."""

from __future__ import annotations

import re

import pytest
from conftest import SITE, site_pages

from cookbook_sphinx.page_weight import lean_html


@pytest.mark.parametrize("path", [p for p in site_pages() if p.startswith("recipes/")])
def test_a_built_page_is_lean_and_its_code_untouched(path: str) -> None:
    html = (SITE / path).read_text(encoding="utf-8")
    assert lean_html(html) == html
    # Every recipe shows indented code: the indentation is still there.
    blocks = re.findall(r"<pre\b.*?</pre>", html, re.S)
    assert blocks and any("\n    " in block for block in blocks)
