"""Unused CSS, found without a browser: the rules whose selectors name a class, an id or
an element that none of the site's pages, and none of the scripts they load, uses.

The test is deliberately generous: a selector is kept when every class, id and element
it names occurs somewhere on the site (not necessarily together), and anything inside
``:not()``, ``:is()`` and the like, attribute selectors and states such as ``:hover``
count as satisfiable. Scripts count with every word of their string literals, since
a script may add a class. Custom properties that nothing reads with ``var()`` go too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# Comments, strings, and the characters that end or open a block or a statement.
_CSS_TOKENS = re.compile(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|[{};]", re.S)
# Strings, brackets and parentheses, and the two separators split at.
_NESTING_TOKENS = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|[()\[\],;]")
_FUNCTIONAL_PSEUDO = re.compile(r"::?[\w-]+\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_ELEMENT = re.compile(r"(?:^|[\s>+~])([a-zA-Z][\w-]*)")
_VAR = re.compile(r"var\((--[\w-]+)")
_STRING_LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`")
_WORD = re.compile(r"-?[_a-zA-Z][\w-]*")


@dataclass
class Used:
    """What the pages (and the scripts they load) can put in front of a stylesheet."""

    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)
    # Custom properties read with var() outside the stylesheets being made lean.
    properties: set[str] = field(default_factory=set)

    def update(self, other: Used) -> None:
        self.classes |= other.classes
        self.ids |= other.ids
        self.elements |= other.elements
        self.properties |= other.properties

    def key(self) -> str:
        return "\n".join(
            " ".join(sorted(names))
            for names in (self.classes, self.ids, self.elements, self.properties)
        )


def used_by_page(html: str) -> Used:
    used = Used()
    for value in re.findall(r'\sclass="([^"]*)"', html):
        used.classes.update(value.split())
    used.ids.update(re.findall(r'\sid="([^"]*)"', html))
    used.elements.update(name.lower() for name in re.findall(r"<([a-zA-Z][\w-]*)", html))
    used.properties.update(_VAR.findall(html))
    return used


def used_by_script(script: str) -> Used:
    """Every word in the script's string literals: a class it may add, an id it may look
    for, an element it may create. More than it uses, never less."""
    words: set[str] = set()
    for literal in _STRING_LITERAL.findall(script):
        words.update(_WORD.findall(literal))
    return Used(
        classes=set(words),
        ids=set(words),
        elements={word.lower() for word in words},
        properties={word for word in words if word.startswith("--")},
    )


def split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` (``,`` or ``;``) outside brackets, parentheses
    and strings."""
    parts, depth, start = [], 0, 0
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token in "([":
            depth += 1
        elif token in ")]":
            depth -= 1
        elif token == separator and depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def css_blocks(css: str) -> Iterator[tuple[str, str]]:
    """The top-level blocks of a stylesheet as (prelude, body). Comments between blocks
    are dropped but for licence notices (``/*! ... */``, returned with an empty body);
    a statement such as ``@import x;`` comes back whole, with an empty body."""
    depth, start, opened = 0, 0, 0
    for match in _CSS_TOKENS.finditer(css):
        token = match.group()
        if token.startswith("/*"):
            if depth == 0 and not css[start : match.start()].strip():
                if token.startswith("/*!"):
                    yield token, ""
                start = match.end()
        elif token == "{":
            if depth == 0:
                opened = match.start()
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                yield css[start:opened].strip(), css[opened + 1 : match.start()]
                start = match.end()
        elif token == ";" and depth == 0:
            yield css[start : match.end()].strip(), ""
            start = match.end()


def selector_may_match(selector: str, used: Used) -> bool:
    """Whether some page may have an element that ``selector`` selects (see above)."""
    plain = _FUNCTIONAL_PSEUDO.sub("", selector)
    plain = re.sub(r"\[[^\]]*\]", "", plain)
    plain = re.sub(r"::?[\w-]+", "", plain)
    return (
        all(name in used.classes for name in _CLASS.findall(plain))
        and all(name in used.ids for name in _ID.findall(plain))
        and all(name.lower() in used.elements for name in _ELEMENT.findall(plain))
    )


def drop_unused_rules(css: str, used: Used) -> str:
    """The stylesheet without the rules (and selectors) that no page can match."""
    kept = []
    for prelude, body in css_blocks(css):
        if not body:
            kept.append(prelude)  # a licence notice, a statement
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner = drop_unused_rules(body, used)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")  # @font-face, @keyframes, @page: whole
        else:
            selectors = [
                selector.strip()
                for selector in split_top_level(prelude, ",")
                if selector_may_match(selector.strip(), used)
            ]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


def _without_properties(css: str, read: set[str]) -> str:
    kept = []
    for prelude, body in css_blocks(css):
        if not body:
            kept.append(prelude)
        elif prelude.startswith("@") and "{" in body:
            inner = _without_properties(body, read)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        else:
            declarations = [
                declaration
                for declaration in split_top_level(body, ";")
                if declaration.strip()
                and not (
                    declaration.lstrip().startswith("--")
                    and declaration.split(":", 1)[0].strip() not in read
                )
            ]
            if declarations:
                kept.append(f"{prelude}{{{';'.join(declarations)}}}")
    return "".join(kept)


def lean(stylesheets: dict[str, str], used: Used, read_elsewhere: Iterable[str]) -> dict[str, str]:
    """Each stylesheet without its unused rules, then without the custom properties
    that no stylesheet (of these, after that) and nothing else reads."""
    sheets = {name: drop_unused_rules(css, used) for name, css in stylesheets.items()}
    while True:
        read = set(read_elsewhere) | used.properties
        for css in sheets.values():
            read.update(_VAR.findall(css))
        smaller = {name: _without_properties(css, read) for name, css in sheets.items()}
        if smaller == sheets:
            return sheets
        sheets = smaller
