"""Sphinx extension: the snippet status page, a status line and download on each recipe.

- ``{snippet-matrix}``, ``{snippet-pages}`` and ``{snippet-skips}`` render
  the test runs' reports (see snippet_reports.py) on docs/status.md.
- A page whose front matter names an ``example:`` gets, under its title, one
  line saying what its blocks did in the last run, and a link to download
  that example project as a zip (made by example_archives.py).

Without a report the build still succeeds: the status page says that no test
run is recorded, and each recipe's line that it is not verified in this build.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from . import example_archives, snippet_reports
from .snippet_reports import Cell

STATUS_DOC = "status"
NO_REPORT = (
    "No test run is recorded in this build: there is no `build/snippet-report-*.json`. "
    "`make test` (the default cell) and `nox -s matrix` (every cell) write one; "
    "build the site again after a run to see its figures."
)


def _cells() -> list[Cell]:
    return snippet_reports.load_cells(snippet_reports.BUILD)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _MarkdownDirective(SphinxDirective):
    """Renders MyST text made from the reports."""

    has_content = False

    def markdown(self, cells: list[Cell]) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        cells = _cells()
        lines = self.markdown(cells) if cells else [NO_REPORT]
        return self.parse_text_to_nodes("\n".join(lines))

    def doc_link(self, page: str) -> str:
        docname = page.removeprefix("docs/").removesuffix(".md")
        if docname in self.env.found_docs:
            return f"{{doc}}`/{docname}`"
        return f"`{page}`"


class SnippetMatrix(_MarkdownDirective):
    def markdown(self, cells: list[Cell]) -> list[str]:
        lines = [
            "| Cell | Outcome | Python | Django | django-cockroachdb | Database | Ran "
            "| Included | Skipped | Failed | Run (UTC) |",
            "|---|---|---|---|---|---|--:|--:|--:|--:|---|",
        ]
        for cell in cells:
            totals = cell.totals()
            outcome = cell.verdict() if cell.outcome == "passed" else f"**{cell.verdict()}**"
            lines.append(
                f"| `{cell.name}` | {outcome} | {cell.report.get('python')} "
                f"| {cell.report.get('django')} | {cell.cockroach_backend} | {cell.database()} "
                f"| {totals['executed']} | {totals['included']} | {totals['skipped']} "
                f"| {totals['failed']} | {cell.date} |"
            )
        missing = sorted(set(snippet_reports.MATRIX_CELLS) - {cell.name for cell in cells})
        if missing:
            names = ", ".join(f"`{name}`" for name in missing)
            lines += ["", f"No report in this build for: {names}."]
        for cell in cells:
            if cell.outcome == "running":
                lines += ["", f"The run `{cell.name}` started but did not finish (killed?)."]
            if cell.failed_tests:
                lines += ["", f"Failed in `{cell.name}`:", ""]
                lines += [
                    f"- `{_escape(test['test'])}` ({test.get('when', 'call')}): "
                    f"{_escape(test.get('message', ''))}"
                    for test in cell.failed_tests
                ]
        return lines


class SnippetSuites(_MarkdownDirective):
    """Each example project's own suite in the default cell: tests passed, skipped, failed."""

    def markdown(self, cells: list[Cell]) -> list[str]:
        cell = snippet_reports.main_cell(cells)
        assert cell is not None
        suites = cell.report.get("suites") or {}
        if not suites:
            return [f"The run `{cell.name}` recorded no example suite."]
        lines = [
            "| Example | Variant | Passed | Skipped | Failed |",
            "|---|---|--:|--:|--:|",
        ]
        notes: list[str] = []
        for example, variants in sorted(suites.items()):
            for variant, figures in variants.items():
                lines.append(
                    f"| `examples/{example}` | {variant.capitalize()} | {figures['passed']} "
                    f"| {len(figures['skipped'])} | {len(figures['failed'])} |"
                )
                for test in figures["skipped"]:
                    notes.append(
                        f"- skipped, `examples/{example}` ({variant}): `{test['test']}`: "
                        f"{_escape(test['reason'])}"
                    )
                for test in figures["failed"]:
                    notes.append(
                        f"- **failed**, `examples/{example}` ({variant}): `{test['test']}`: "
                        f"{_escape(test['message'])}"
                    )
        coverage = cell.report.get("included_coverage") or {}
        problems = [p for found in (coverage.get("problems") or {}).values() for p in found]
        if not coverage.get("measured"):
            notes.append("- The lines the pages include were not measured in this run.")
        elif problems:
            notes += [f"- **included but never ran**: {_escape(p)}" for p in problems]
        else:
            notes.append(
                "- Every Python line the pages include, and every branch that starts on one, "
                "ran in each variant that shows it."
            )
        return [*lines, "", *notes]


class SnippetChecks(_MarkdownDirective):
    """Per page and variant of the default cell: what the servers saw, what was not compared."""

    def markdown(self, cells: list[Cell]) -> list[str]:
        cell = snippet_reports.main_cell(cells)
        assert cell is not None
        lines: list[str] = []
        for page, variants in cell.report.get("pages", {}).items():
            entries = []
            for variant, figures in variants.items():
                label = "one variant" if variant == "single" else variant.capitalize()
                connections = figures.get("connections") or {}
                if connections:
                    seen = ", ".join(f"{kind} × {n}" for kind, n in connections.items())
                    entries.append(f"- {label}, connections the servers logged: {seen}")
                for wildcard in figures.get("wildcards") or []:
                    entries.append(
                        f"- {label}, line {wildcard['line']}, not compared where it says `...`: "
                        f"`{_escape(wildcard['shown'])}`"
                    )
            if entries:
                lines += ["", self.doc_link(page), "", *entries]
        return lines or [f"The run `{cell.name}` recorded no connection and no wildcard."]


# Where a page ran (the report's "project"), as the status table says it.
PROJECTS = {
    "reader": "the reader's project",
    "empty": "an empty directory",
}


class SnippetPages(_MarkdownDirective):
    def markdown(self, cells: list[Cell]) -> list[str]:
        cell = snippet_reports.main_cell(cells)
        assert cell is not None
        lines = [
            f"Run `{cell.name}` of {cell.date} UTC: Python {cell.report.get('python')}, "
            f"Django {cell.report.get('django')}, {cell.database()}.",
            "",
            "| Page | Variant | Ran in | Blocks | Ran | Pasted | Included | Skipped | Failed |",
            "|---|---|---|--:|--:|--:|--:|--:|--:|",
        ]
        included: dict[str, list[str]] = {}
        for page, variants in cell.report.get("pages", {}).items():
            if not any(figures["blocks"] for figures in variants.values()):
                continue  # a page without code blocks has nothing to report
            for variant, figures in variants.items():
                label = "one" if variant == "single" else variant.capitalize()
                built = PROJECTS.get(figures.get("project", ""), "not recorded")
                lines.append(
                    f"| {self.doc_link(page)} | {label} | {built} | {figures['blocks']} "
                    f"| {figures['executed']} | {len(figures.get('pastes') or [])} "
                    f"| {figures['included']} "
                    f"| {len(figures['skipped'])} | {figures['failed']} |"
                )
                for include in figures.get("includes", []):
                    files = included.setdefault(page, [])
                    if include["file"] not in files:
                        files.append(include["file"])
        if included:
            lines += ["", "Files the pages include (their Python lines are measured by the run):"]
            for page, files in included.items():
                lines += ["", f"{self.doc_link(page)}", ": " + ", ".join(f"`{f}`" for f in files)]
        return lines


class SnippetSkips(_MarkdownDirective):
    def markdown(self, cells: list[Cell]) -> list[str]:
        cell = snippet_reports.main_cell(cells)
        assert cell is not None
        lines: list[str] = []
        main_skips = _skips(cell)
        for page, skips in main_skips.items():
            lines += ["", self.doc_link(page)]
            for (line, reason), variants in skips.items():
                lines.append(f": line {line} ({', '.join(variants)}): {_escape(reason)}")
        if not lines:
            lines = [f"Run `{cell.name}` skipped no block."]
        for other in cells[1:]:
            extra = [
                (page, line, reason, variants)
                for page, skips in _skips(other).items()
                for (line, reason), variants in skips.items()
                if (line, reason) not in main_skips.get(page, {})
            ]
            failed = [
                (page, variant)
                for page, variants in other.report.get("pages", {}).items()
                for variant, figures in variants.items()
                if figures["failed"]
            ]
            lines += ["", f"In `{other.name}`, besides those:", ""]
            if not extra and not failed:
                lines.append("- no other block was skipped, and none failed.")
            for page, line, reason, variants in extra:
                lines.append(
                    f"- {self.doc_link(page)} line {line} ({', '.join(variants)}): "
                    f"{_escape(reason)}"
                )
            for page, variant in failed:
                lines.append(f"- {self.doc_link(page)} ({variant}): blocks FAILED")
        return lines


def _skips(cell: Cell) -> dict[str, dict[tuple[int, str], list[str]]]:
    """Per page: each skipped block (line, reason) and the variants it was skipped in."""
    found: dict[str, dict[tuple[int, str], list[str]]] = {}
    for page, variants in cell.report.get("pages", {}).items():
        for variant, figures in variants.items():
            for skip in figures["skipped"]:
                label = "one variant" if variant == "single" else variant.capitalize()
                key = (skip["line"], skip["reason"])
                found.setdefault(page, {}).setdefault(key, []).append(label)
    return found


# --- the line under each recipe's title ----------------------------------------------


def _example_of(env: BuildEnvironment, docname: str) -> str | None:
    """The ``example:`` of a page's front matter (MyST puts it in ``env.metadata`` as it parses)."""
    example = env.metadata.get(docname, {}).get("example")
    return str(example) if example else None


def _status_paragraph(env: BuildEnvironment, docname: str, example: str) -> nodes.paragraph:
    cell = snippet_reports.main_cell(_cells())
    page = f"docs/{docname}.md"
    line = snippet_reports.page_line(cell, page) if cell else None
    paragraph = nodes.paragraph(classes=["snippet-status-line"])
    paragraph += nodes.strong(text="Snippet status: ")
    if cell is None:
        paragraph += nodes.Text("not verified in this build: no test run is recorded. ")
    elif line is None:
        paragraph += nodes.Text(
            f"not verified in this build: the run {cell.name} did not cover this page. "
        )
    else:
        paragraph += nodes.Text(
            f"{line} (Python {cell.report.get('python')}, Django {cell.report.get('django')}, "
            f"{cell.database()}, {cell.date[:10]}). "
        )
    paragraph += addnodes.pending_xref(
        "",
        nodes.inline(text="Every run, and why blocks were skipped"),
        refdomain="std",
        reftype="doc",
        reftarget=f"/{STATUS_DOC}",
        refexplicit=True,
        refdoc=docname,
        refwarn=True,
    )
    paragraph += nodes.Text(". Download the project: ")
    archive = example_archives.ARCHIVES / f"{example}.zip"
    paragraph += addnodes.download_reference(
        "",
        "",  # a reference takes its text from its children
        nodes.literal(text=archive.name),
        # A leading "/" means: from the source directory (docs/).
        reftarget="/" + Path(os.path.relpath(archive, env.srcdir)).as_posix(),
        refdoc=docname,
        refexplicit=True,
    )
    paragraph += nodes.Text(".")
    return paragraph


def _add_status_line(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    example = _example_of(env, env.docname)
    if example is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    section.insert(1, _status_paragraph(env, env.docname, example))


def _always_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages showing report figures, when the reports changed since the last build.

    A new report changes them without touching their source; an unchanged one
    leaves them alone, so that editing one page rebuilds that page only.
    """
    fingerprint = _reports_fingerprint()
    if getattr(env, "cookbook_reports", None) == fingerprint:
        return []
    env.cookbook_reports = fingerprint  # type: ignore[attr-defined]
    return [
        docname
        for docname in env.found_docs
        if docname == STATUS_DOC or (docname not in removed and _example_of(env, docname))
    ]


def _reports_fingerprint() -> list[tuple[str, int, int]]:
    """Each report's name, size and modification time."""
    return [
        (path.name, path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(snippet_reports.BUILD.glob("snippet-report-*.json"))
    ]


def _make_archives(app: Sphinx) -> None:
    example_archives.build_all()


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("snippet-matrix", SnippetMatrix)
    app.add_directive("snippet-pages", SnippetPages)
    app.add_directive("snippet-skips", SnippetSkips)
    app.add_directive("snippet-suites", SnippetSuites)
    app.add_directive("snippet-checks", SnippetChecks)
    app.connect("builder-inited", _make_archives)
    # Before Sphinx's own collectors (priority 500), so the download is registered.
    app.connect("doctree-read", _add_status_line, priority=400)
    app.connect("env-get-outdated", _always_reread)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
