"""Every code block Sphinx renders is included, executed, or skipped with a reason.

Sphinx itself parses the pages (tabs and all), so no block can hide from this
test in syntax that our own parser reads differently.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from docutils import nodes
from sphinx.application import Sphinx

from cookbook_harness.accounting import page_regions
from cookbook_harness.evaluators import LANGUAGES
from cookbook_harness.layout import CONF, DOCS, EXAMPLES, ROOT
from cookbook_harness.pages import Page, parse_page

INCLUDE_ROOTS = (EXAMPLES, CONF)


def rendered_blocks(tmp: Path) -> Iterator[tuple[Path, nodes.Element]]:
    app = Sphinx(
        str(DOCS),
        str(DOCS),
        str(tmp / "out"),
        str(tmp / "doctrees"),
        "dummy",
        status=io.StringIO(),
        warning=io.StringIO(),
        freshenv=True,
    )
    app.build()
    for docname in sorted(app.env.found_docs):
        doctree = app.env.get_doctree(docname)
        for node in doctree.findall(
            lambda n: isinstance(n, nodes.literal_block | nodes.doctest_block)
        ):
            yield DOCS / f"{docname}.md", node


@pytest.fixture(scope="module")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, nodes.literal_block]]:
    return list(rendered_blocks(tmp_path_factory.mktemp("sphinx")))


def test_no_docstring_example_goes_unrun(blocks) -> None:  # type: ignore[no-untyped-def]
    """A ``>>>`` example in a docstring that autodoc renders is a block no run executes."""
    found = [
        f"{page_path.relative_to(ROOT)}: a >>> example from {node.source or 'a docstring'}, "
        f"line {node.line}: no run executes it; make it a test of the module instead"
        for page_path, node in blocks
        if isinstance(node, nodes.doctest_block)
    ]
    assert not found, "\n".join(found)


def test_sphinx_and_the_runner_see_the_same_blocks(blocks) -> None:  # type: ignore[no-untyped-def]
    blocks = [
        (page_path, node) for page_path, node in blocks if isinstance(node, nodes.literal_block)
    ]
    by_page: dict[Path, list[int]] = {page_path: [] for page_path, _ in blocks}
    for page_path, node in blocks:
        if not node.source or node.source.endswith(".md"):
            by_page[page_path].append(node.line)
    for page_path, lines in by_page.items():
        parsed = [block.line for block in parse_page(page_path).blocks]
        assert sorted(lines) == sorted(parsed), page_path


def test_every_block_is_included_executed_or_skipped_with_a_reason(blocks) -> None:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    pages: dict[Path, Page] = {}
    # Sybil parses a page once per variant, not once per block (some 800 parses).
    regions = functools.cache(page_regions)
    for page_path, node in blocks:
        if isinstance(node, nodes.doctest_block):
            continue  # test_no_docstring_example_goes_unrun
        page = pages.setdefault(page_path, parse_page(page_path))
        where = f"{page_path.relative_to(ROOT)}:{node.line}"
        if node.source and not node.source.endswith(".md"):
            problems.append(f"{where}: a block from {node.source}, neither included nor run")
            continue
        block = next((b for b in page.blocks if b.line == node.line), None)
        if block is None:
            problems.append(f"{where}: a block Sphinx renders that the page parser misses")
            continue
        if node.get("source"):
            problems += _check_include(where, block, Path(node["source"]))
            continue
        for variant in page.variants:
            if block.variant not in (None, variant):
                continue
            region = regions(page_path, variant).get(block.line)
            if region is None:
                problems.append(
                    f"{where} [{variant}]: a {block.language or 'plain'} block that is neither "
                    f"included, executed ({', '.join(LANGUAGES)}), nor skipped with a reason"
                )
            elif region.skipped is not None and not region.skipped.strip():
                problems.append(f"{where} [{variant}]: skipped without a reason")
    assert not problems, "\n".join(problems)


def _check_include(where: str, block, source: Path) -> list[str]:  # type: ignore[no-untyped-def]
    if not any(source.is_relative_to(root) for root in INCLUDE_ROOTS):
        return [f"{where}: includes {source}, which is outside examples/ and conf/"]
    if "lines" in block.options:
        return [f"{where}: selects lines by number; use markers or :pyobject:"]
    return []


def test_report_counts_blocks_not_skip_comments() -> None:
    """Sybil reports each ``% skip:`` comment as a passing example; the report must not
    count those as blocks that ran, so Ran + Included + Skipped never exceeds Blocks."""
    from cookbook_harness.report import RunFacts, snippet_report

    page = "docs/recipes/cockroachdb.md"
    lines = page_regions(ROOT / page, "secure")
    skipped = next(line for line, info in lines.items() if info.skipped)
    executed = next(line for line, info in lines.items() if not info.skipped)
    comment = skipped - 1  # the `% skip: next ...` line above the block
    outcomes = [
        {"page": page, "line": line, "variant": "secure", "outcome": outcome, "reason": reason}
        for line, outcome, reason in (
            (comment, "passed", ""),
            (skipped, "skipped", "why"),
            (executed, "passed", ""),
        )
    ]
    facts = RunFacts(blocks=outcomes)
    figures = snippet_report(facts, "passed", 0)["pages"][page]["secure"]
    assert figures["executed"] == 1
    assert figures["skipped"] == [{"line": skipped, "reason": "why"}]
    assert figures["failed"] == 0
    assert figures["executed"] + figures["included"] + len(figures["skipped"]) <= figures["blocks"]
