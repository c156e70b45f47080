"""How the runner treats each block of a page: executed, or skipped and why.

The accounting test (tests/test_snippet_accounting.py) and the snippet report
use this to hold every block Sphinx renders to the snippet contract.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from sybil.evaluators.skip import Skipper

from .evaluators import sybils


@dataclasses.dataclass(frozen=True)
class RegionInfo:
    """How the runner treats the block that starts on a line."""

    skipped: str | None


def page_regions(path: Path, variant: str) -> dict[int, RegionInfo]:
    """The page's blocks that the runner executes or skips in one variant, by line."""
    sybil = {s.name: s for s in sybils()}[variant]
    found: dict[int, RegionInfo] = {}
    skip_next: str | None = None
    skip_all: str | None = None
    for example in sybil.parse(path).examples():
        if isinstance(example.region.evaluator, Skipper):
            action, reason = example.parsed
            reason = _skip_reason(reason)
            if action == "next":
                skip_next = reason
            elif action == "start":
                skip_all = reason
            else:
                skip_all = None
            continue
        skipped = skip_next if skip_next is not None else skip_all
        found[example.line] = RegionInfo(skipped)
        skip_next = None
    return found


def _skip_reason(argument: str | None) -> str:
    """The reason of ``% skip: next "reason"`` or ``next if(condition, reason="...")``.

    Empty when there is none.
    """
    text = (argument or "").strip()
    if text.startswith("if"):
        try:
            call = ast.parse("if_" + text[2:], mode="eval").body
        except SyntaxError:
            return ""
        keywords = {k.arg: k.value for k in getattr(call, "keywords", [])}
        reason_node = keywords.get("reason")
        text = ast.unparse(reason_node) if reason_node is not None else ""
    try:
        reason = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ""
    return reason if isinstance(reason, str) else ""
