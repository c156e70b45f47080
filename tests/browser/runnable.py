"""What a copy button should put on the clipboard: the runnable part of a code block.

Written independently of sphinx-copybutton's own rules, so the browser tests
compare the button against what a reader would type, not against itself.
"""

from __future__ import annotations

# Prompts by the block's language, as the snippet runner reads them
# (docs/explanation/how-snippets-are-tested.md).
PROMPTS: dict[str, tuple[str, ...]] = {
    "console": ("$ ",),
    "pycon": (">>> ", "... "),
    "sql": ("=> ", "-> "),
}


def runnable_text(language: str, shown: str) -> str:
    """The commands of a shown block without prompts and output lines.

    A shell command whose line ends in a backslash continues on the next line,
    which is part of the command although it has no prompt. In a pycon block a
    bare ``...`` right after a statement line is an empty continuation line (as
    doctest reads it); after output it is a wildcard, that is output. Blocks in
    other languages, and blocks without any prompt, are copied whole.
    """
    prompts = PROMPTS.get(language)
    lines = shown.rstrip("\n").split("\n")
    if prompts is None or not any(line.startswith(prompts) for line in lines):
        return "\n".join(lines)
    commands: list[str] = []
    continued = False  # the previous line belongs to a command that goes on
    for line in lines:
        prompt = next((p for p in prompts if line.startswith(p)), None)
        if prompt is not None:
            commands.append(line.removeprefix(prompt))
            continued = language == "pycon" or line.endswith("\\")
        elif continued and language == "pycon" and line == "...":
            commands.append("")
        elif continued and language == "console":
            commands.append(line)
            continued = line.endswith("\\")
        else:
            continued = False
    return "\n".join(commands)
