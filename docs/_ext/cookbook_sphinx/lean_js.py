"""Scripts without their comments and indentation, and nothing else changed.

Every line break stays where it was (so no statement runs into the next), and so does
every character of code, string, template and regular expression; only comments
(but licence notices, ``/*! ... */``), the spaces that start a line of code and the
lines left empty go. A script whose strings or templates this cannot follow to their
end comes back unchanged.
"""

from __future__ import annotations

import re

# After these a "/" starts a regular expression; after anything else it divides.
_REGEX_AFTER_CHARACTERS = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_AFTER_WORDS = {
    "return", "typeof", "case", "do", "else", "in", "of", "instanceof",
    "new", "delete", "void", "throw", "yield", "await",
}  # fmt: skip
_WORD_BEFORE = re.compile(r"[\w$]+$")


def _regex_may_start(code: str) -> bool:
    """Whether a "/" after ``code`` (the script so far, comments removed) opens a regex."""
    before = code.rstrip()
    if not before:
        return True
    if before[-1] in _REGEX_AFTER_CHARACTERS:
        return True
    word = _WORD_BEFORE.search(before)
    return bool(word) and word.group() in _REGEX_AFTER_WORDS


def _skip_string(script: str, start: int, quote: str) -> int:
    """The index after the string that opens at ``start``."""
    index = start + 1
    while index < len(script):
        char = script[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if char == "\n":
            raise ValueError("a line break in a string")
        index += 1
    raise ValueError("an unterminated string")


def _skip_regex(script: str, start: int) -> int:
    index, in_class = start + 1, False
    while index < len(script):
        char = script[index]
        if char == "\\":
            index += 2
            continue
        if char == "\n":
            raise ValueError("a line break in a regular expression")
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return index + 1
        index += 1
    raise ValueError("an unterminated regular expression")


def _skip_template(script: str, start: int) -> int:
    """The index after the template literal that opens at ``start`` (``${...}`` included)."""
    index = start + 1
    while index < len(script):
        char = script[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            return index + 1
        if script.startswith("${", index):
            index = _skip_code(script, index + 2, until="}")
            continue
        index += 1
    raise ValueError("an unterminated template")


def _skip_code(script: str, start: int, until: str) -> int:
    """The index after the ``}`` that closes a ``${`` of a template."""
    depth, index = 0, start
    while index < len(script):
        char = script[index]
        if char in "'\"":
            index = _skip_string(script, index, char)
            continue
        if char == "`":
            index = _skip_template(script, index)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index + 1
            depth -= 1
        index += 1
    raise ValueError("an unterminated ${...} in a template")


def lean_script(script: str) -> str:
    """``script`` without comments, leading spaces and empty lines (see above)."""
    try:
        return _lean(script)
    except ValueError:
        return script


def _lean(script: str) -> str:
    out: list[str] = []
    index = 0
    line_start = True  # nothing of this line written yet: its spaces may go
    tail = ""  # the code written last (for telling a regex from a division)
    while index < len(script):
        char = script[index]
        if line_start and char in " \t":
            index += 1
            continue
        if char == "\n":
            if not line_start:
                out.append("\n")
            line_start = True
            index += 1
            continue
        if script.startswith("//", index):
            end = script.find("\n", index)
            index = len(script) if end < 0 else end
            while out and out[-1] in (" ", "\t"):
                out.pop()
            continue
        if script.startswith("/*", index):
            end = script.find("*/", index + 2)
            if end < 0:
                raise ValueError("an unterminated comment")
            comment = script[index : end + 2]
            if comment.startswith("/*!"):
                out.append(comment)
                line_start = False
            elif "\n" in comment and not line_start:
                # A comment across lines ends a statement as a line break does.
                out.append("\n")
                line_start = True
            index = end + 2
            continue
        line_start = False
        if char in "'\"":
            end = _skip_string(script, index, char)
        elif char == "`":
            end = _skip_template(script, index)
        elif char == "/" and _regex_may_start(tail):
            end = _skip_regex(script, index)
        else:
            out.append(char)
            tail = (tail + char)[-40:]
            index += 1
            continue
        out.append(script[index:end])
        tail = script[index:end][-40:]
        index = end
    return "".join(out).strip() + "\n"
