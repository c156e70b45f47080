"""The site's lighter pages (docs/_ext/cookbook_sphinx/page_weight.py) show the same code:
what :func:`lean_html` removes is only what shows the same without it. The built
site is checked in tests/browser/test_lean_pages.py (its session builds the site).
"""

from __future__ import annotations

from cookbook_sphinx.page_weight import lean_html


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
