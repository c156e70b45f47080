"""The site's lighter pages (docs/_ext/cookbook_sphinx/page_weight.py) show the same code:
what :func:`lean_html` removes is only what shows the same without it, the copy
buttons' script loses only messages no page can show, and the icon sprite only icons
the page does not show. The built
site is checked in tests/browser/test_lean_pages.py (its session builds the site).
"""

from __future__ import annotations

import re
from pathlib import Path

import sphinx_copybutton

from cookbook_sphinx.page_weight import copy_messages_for, lean_html, used_symbols_only


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


def test_the_copy_buttons_script_keeps_the_messages_of_the_site_language_and_english() -> None:
    template = Path(sphinx_copybutton.__file__).parent / "_static" / "copybutton.js_t"
    script = template.read_text(encoding="utf-8")
    assert "'es' : {" in script and "'de' : {" in script  # as shipped: seven languages

    lean = copy_messages_for(script, "de")

    assert "'en': {" in lean and "'de' : {" in lean and "'Kopiert!'" in lean
    assert "'es' : {" not in lean and "'zh-CN': {" not in lean and "Copiado" not in lean
    # The rest of the script is as it was, and the table is still an object literal.
    table_end = script.index("let locale")
    assert lean.endswith(script[table_end:])
    assert lean.startswith(script[: script.index("const messages")])
    assert re.search(r"const messages = \{\n *'en': \{[^{}]*\},\n *'de' : \{[^{}]*\}\n\}\n", lean)
    # English alone when the site's language is English or one the script lacks.
    for language in ("en", "pt-BR"):
        assert re.findall(r"'([\w-]+)' ?: \{", copy_messages_for(script, language)) == ["en"]


def test_a_copy_buttons_script_of_another_shape_is_left_as_it_is() -> None:
    for script in ("const messages = {};\nlet locale = 'en'\n", "let locale = 'en'\n", ""):
        assert copy_messages_for(script, "de") == script


def test_only_the_icons_the_page_shows_stay_in_the_sprite() -> None:
    html = (
        '<svg style="display: none;">\n'
        '<symbol id="svg-toc" viewBox="0 0 24 24">\n<title>Contents</title>\n'
        '<svg><line x1="3"></line></svg>\n</symbol>\n'
        '<symbol id="svg-pencil" viewBox="0 0 24 24">\n<svg><path d="M4 20"/></svg>\n</symbol>\n'
        "</svg>\n"
        '<label><svg><use href="#svg-toc"></use></svg></label>\n'
    )
    assert used_symbols_only(html) == (
        '<svg style="display: none;">\n'
        '<symbol id="svg-toc" viewBox="0 0 24 24">\n<title>Contents</title>\n'
        '<svg><line x1="3"></line></svg>\n</symbol>\n'
        "</svg>\n"
        '<label><svg><use href="#svg-toc"></use></svg></label>\n'
    )
