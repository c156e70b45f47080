"""Reading a block's commands and expected output, and comparing output with the page.

Pure functions: nothing here runs anything.
"""

from __future__ import annotations

import difflib
import re


class SnippetFailure(AssertionError):
    """A block did not do what its page says."""


def _lines(text: str, squeeze: bool) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return [" ".join(line.split()) for line in lines] if squeeze else lines


# ``...`` right after a letter, digit or underscore is the program's own text, as in
# Django's "Applying blog.0001_initial... OK"; anywhere else it is a wildcard.
WILDCARD = re.compile(r"(?<!\w)\.\.\.")


def has_wildcard(line: str) -> bool:
    """Whether a shown output line matches by wildcard rather than exactly."""
    return WILDCARD.search(line) is not None


def _pattern(want: list[str]) -> re.Pattern[str]:
    """``...`` within a line matches any text on it; a line of ``...``, any lines."""
    parts = []
    for line in want:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in WILDCARD.split(line)) + r"\n")
    return re.compile("".join(parts))


def compare(want: str, got: str, squeeze_spaces: bool = False) -> str | None:
    """None when ``got`` matches ``want`` (with ``...`` wildcards), else a diff."""
    want_lines, got_lines = _lines(want, squeeze_spaces), _lines(got, squeeze_spaces)
    if _pattern(want_lines).fullmatch("".join(line + "\n" for line in got_lines)):
        return None
    diff = difflib.unified_diff(
        want_lines, got_lines, "shown on the page", "real output", lineterm=""
    )
    return "\n".join(diff)


def console_commands(source: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    pairs: list[tuple[str, list[str]]] = []
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            command = [line[2:]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            pairs.append(("\n".join(command), []))
        elif pairs:
            pairs[-1][1].append(line)
        elif line.strip():
            raise SnippetFailure(f"console block output before any `$ ` command: {line!r}")
        index += 1
    return [(command, "\n".join(output).strip("\n")) for command, output in pairs]


def sql_statements(source: str) -> list[tuple[str, str | None]]:
    """Split a sql block into (statement, expected result or None) pairs."""
    lines = source.splitlines()
    if not any(line.startswith("=> ") for line in lines):
        return [(source, None)]
    pairs: list[tuple[list[str], list[str]]] = []
    for line in lines:
        if line.startswith("=> "):
            pairs.append(([line[3:]], []))
        elif line.startswith("-> ") and pairs and not pairs[-1][1]:
            pairs[-1][0].append(line[3:])
        elif pairs:
            pairs[-1][1].append(line)
    return [("\n".join(s), "\n".join(r).strip("\n")) for s, r in pairs]


# What the copy button copies (docs/conf.py: copybutton_prompt_text and the options
# next to it). Output lines are gone before the prompts are looked for (Pygments
# marks them ``.go``, which copybutton_exclude drops), so only lines that begin
# with a prompt, and the lines a ``\`` continues, are copied, without the prompt.
# A bare ``...`` is the prompt of the empty line that ends a compound statement.
COPY_PROMPTS = re.compile(r"^(\$ |>>> |\.\.\.(?: |$)|=> |-> )(.*)$")


def copy_text(source: str) -> str:
    """The text the copy button gives for a block (Python port of sphinx-copybutton's
    ``formatCopyText`` with this site's options; the browser tests compare the two)."""
    copied: list[str] = []
    continued = False
    for line in source.split("\n"):
        match = COPY_PROMPTS.match(line)
        if match:
            copied.append(match[2])
        elif continued:
            copied.append(line)
        else:
            continue
        continued = line.endswith("\\")
    text = "\n".join(copied)
    # sphinx-copybutton drops one trailing newline, so that a paste does not run the
    # last line by itself.
    return text.removesuffix("\n")


def pycon_statements(source: str) -> list[tuple[list[str], str]]:
    """A pycon block as a reader pastes it: each statement's lines (as copied, without
    prompts; a bare ``...`` is the empty line ending a compound statement), and the
    output the page shows after it."""
    statements: list[tuple[list[str], list[str]]] = []
    for line in source.splitlines():
        if line.startswith(">>> "):
            statements.append(([line[4:]], []))
        elif statements and not statements[-1][1] and (line.startswith("... ") or line == "..."):
            statements[-1][0].append(line[4:])
        elif statements:
            statements[-1][1].append(line)
        elif line.strip():
            raise SnippetFailure(f"pycon block output before any `>>> ` statement: {line!r}")
    return [(lines, "\n".join(output).strip("\n")) for lines, output in statements]
