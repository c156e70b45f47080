"""Sphinx extension: ``{not-shown}``, the files of a recipe's project its page does not show.

The list is made from the page's example project by the same function the
test runner uses to assemble a reader's project (cookbook_harness.assembly),
so the page lists exactly what the tested reader's project took from the
download. Each file links to its own copy, next to the whole project's zip.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class NotShown(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from cookbook_harness import assembly
        from cookbook_harness.layout import EXAMPLES
        from cookbook_harness.pages import parse_page

        page = parse_page(Path(self.env.doc2path(self.env.docname)))
        example = EXAMPLES / str(page.example)
        files = assembly.not_shown(page, example)
        for path in assembly.example_files(example):
            self.env.note_dependency(str(example / path))
        if not files:
            paragraph = nodes.paragraph(text="This page shows every file of its project.")
            return [paragraph]
        items = nodes.bullet_list()
        for name in files:
            # A leading "/" means: from the source directory (docs/).
            target = "/" + os.path.relpath(example / name, self.env.srcdir)
            reference = addnodes.download_reference(
                "",
                "",
                nodes.literal(text=name),
                reftarget=target,
                refdoc=self.env.docname,
                refexplicit=True,
            )
            items += nodes.list_item("", nodes.paragraph("", "", reference))
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("not-shown", NotShown)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
