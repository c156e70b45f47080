"""The evaluators of ``console``, ``sql``, ``python`` and ``pycon`` blocks, and their Sybils.

Sybil finds the blocks and makes one pytest item per block and variant; the
evaluators here run each block in its page's run (sessions.py) and compare
what it printed with what the page shows (matching.py).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.parsers.myst import CodeBlockParser, SkipParser
from sybil.parsers.myst.lexers import DirectiveLexer

from . import assembly, audit, cockroach
from .layout import DOCS, EXAMPLES, ROOT, VARIANTS
from .matching import (
    SnippetFailure,
    compare,
    console_commands,
    copy_text,
    pycon_statements,
    sql_statements,
)
from .pages import parse_page
from .postgres import DATABASE_USER, Servers
from .sessions import COMMAND_TIMEOUT, PageRun, Repl, Shell


def page_run(example: Example) -> PageRun:
    """The page's run for this example's variant, started on first use."""
    import pytest

    namespace = example.namespace
    run = namespace.get("_cookbook_run")
    if run is None:
        servers: Servers = namespace["cookbook_servers"]
        variant: str = namespace["_cookbook_variant"]
        if variant not in servers.clusters:
            pytest.skip(servers.unavailable[variant])
        # Pages run one at a time: their servers would share ports.
        if PageRun.current is not None:
            PageRun.current.close()
        page = parse_page(Path(example.path))
        node = None
        if page.front_matter.get("cockroachdb") and cockroach_run():
            node = namespace["cockroach_nodes"][variant]
        run = PageRun(page, variant, servers, node)
        PageRun.current = run
        namespace["_cookbook_run"] = run
    return run


def rerun(example: Example) -> str:
    """The command that runs just this page again, in this variant."""
    page = Path(example.path).relative_to(ROOT)
    variant = example.namespace["_cookbook_variant"]
    return f"Run this page again: nox -s tests -- {page} --variant {variant}"


def where(example: Example) -> str:
    path = Path(example.path).relative_to(ROOT)
    return f"{path}:{example.line} [{example.namespace['_cookbook_variant']}]"


# --- console -----------------------------------------------------------------


def evaluate_console(example: Example) -> None:
    run = page_run(example)
    for command, expected in console_commands(example.parsed):
        output, status = run.shell.run(command)
        difference = compare(expected, output) if expected else None
        if difference:
            raise SnippetFailure(
                f"{where(example)}: the output of `$ {command}` differs from the page "
                f"(exit status {status}):\n{difference}"
            )
        if status != 0:
            # A reader sees no exit status unless the page prints it.
            raise SnippetFailure(
                f"{where(example)}: `$ {command}` exited with status {status}, which the "
                f'page does not show (a command that fails on purpose ends with `; echo "exit '
                f'status $?"`):\n{output}'
            )


# --- sql ------------------------------------------------------------------------


def evaluate_sql(example: Example) -> None:
    run = page_run(example)
    env = run.shell.environment()
    for statement, expected in sql_statements(example.parsed):
        result = subprocess.run(
            [run.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            input=statement,
            capture_output=True,
            text=True,
            env=env,
            cwd=run.project,
            timeout=COMMAND_TIMEOUT,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SnippetFailure(f"{where(example)}: psql failed on:\n{statement}\n{output}")
        if expected:
            difference = compare(expected, output, squeeze_spaces=True)
            if difference:
                raise SnippetFailure(
                    f"{where(example)}: the result of\n{statement}\ndiffers from the page:\n"
                    f"{difference}"
                )


# --- python and pycon --------------------------------------------------------------


def evaluate_python(example: Example) -> None:
    """A python block is a file of the reader's project (its caption names it)."""
    evaluate_file(example)


def evaluate_pycon(example: Example) -> None:
    run = page_run(example)
    source = str(example.parsed)
    statements = pycon_statements(source)
    pasted = copy_text(source)
    typed = [line for lines, _ in statements for line in lines]
    # What the copy button gives is what is typed; a block that ends a compound
    # statement loses its last empty line there, and the reader presses Enter.
    if pasted.split("\n") != typed[: len(pasted.split("\n"))]:
        raise SnippetFailure(f"{where(example)}: the copy button would give\n{pasted}")
    run.pastes.append({"line": example.line, "text": pasted})
    # Each pycon block is pasted into a new `python manage.py shell`, in the
    # directory the page's commands are in.
    repl = Repl(run.cwd(), run.shell.environment())
    try:
        for lines, expected in statements:
            got = "".join(repl.type(line) for line in lines)
            if repl.prompt == "... ":
                got += repl.type("")
            difference = compare(expected, got)
            if difference:
                shown = "\n".join(lines)
                raise SnippetFailure(
                    f"{where(example)}: pasted into `python manage.py shell`,\n{shown}\n"
                    f"printed something else than the page shows:\n{difference}"
                )
    finally:
        repl.close()


# --- files: the reader's project ------------------------------------------------------


@functools.cache
def _page_files(path: str) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Per file the page shows, its blocks' lines; and the files it shows whole."""
    page = parse_page(Path(path))
    lines: dict[str, list[int]] = {}
    for shown in assembly.shown_files(page):
        lines.setdefault(shown.path, []).append(shown.block.line)
    return lines, assembly.complete_files(page, EXAMPLES / str(page.example))


def evaluate_file(example: Example) -> None:
    """Write a captioned block into the reader's project, by the assembly rule."""
    options = example.region.lexemes.get("options") or {}
    caption = options.get("caption")
    if not caption:
        raise SnippetFailure(f"{where(example)}: a block of a reader's project names no file")
    run = page_run(example)
    page = parse_page(Path(example.path))
    block = next(b for b in page.blocks if b.line == example.line)
    target = run.cwd() / caption
    text = assembly.block_text(page, block)
    blocks, complete = _page_files(str(example.path))
    if caption == assembly.SETTINGS:
        if not target.exists():
            raise SnippetFailure(f"{where(example)}: {caption} does not exist yet")
        target.write_text(assembly.merge_settings(target.read_text(), text))
    elif caption in complete:
        shown_so_far = [b for b in blocks[caption] if b <= example.line]
        texts = [
            assembly.block_text(page, next(b for b in page.blocks if b.line == line))
            for line in shown_so_far
        ]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(assembly.join_blocks(texts))
    # Any other file is partly shown: the reader takes it whole from the download
    # ({not-shown}); writing the excerpt would cut it down.


def evaluate_not_shown(example: Example) -> None:
    """The files a page lists as not shown, copied from the example as a reader downloads them."""
    run = page_run(example)
    page = parse_page(Path(example.path))
    source = EXAMPLES / str(page.example)
    for name in assembly.not_shown(page, source):
        target = run.cwd() / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / name, target)


class FileParser:
    """``{literalinclude}`` blocks with a caption, on a recipe's page (one with an
    ``example:``): files of the project the reader builds from the page."""

    def __init__(self) -> None:
        self.lexer = DirectiveLexer(directive="literalinclude")

    def __call__(self, document: Document) -> Iterable[Region]:
        if not parse_page(Path(document.path)).example:
            return
        for region in self.lexer(document):
            region.evaluator = reporting(evaluate_file)
            yield region


class NotShownParser:
    """The ``{not-shown}`` directive: where the reader downloads the files not shown."""

    def __init__(self) -> None:
        self.lexer = DirectiveLexer(directive="not-shown")

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            region.evaluator = reporting(evaluate_not_shown)
            yield region


# --- Sybil -----------------------------------------------------------------------


def reporting(evaluate: Any) -> Any:
    """Run a block, then hold the connections it made to the variant's rule.

    A SnippetFailure becomes Sybil's failure message (shown without a traceback).
    """

    def evaluator(example: Example) -> str | None:
        try:
            evaluate(example)
            run = example.namespace.get("_cookbook_run")
            if run is not None:
                run.audit(where(example))
        except SnippetFailure as failure:
            return f"{failure}\n\n{rerun(example)}"
        return None

    return evaluator


def finish_variant(namespace: dict[str, Any], page: str) -> dict[str, Any]:
    """End a page's run in one variant: the last connections, the decoy test, clean-up.

    Returns what the report records of the run's connections; raises
    SnippetFailure when a rule was broken.
    """
    run: PageRun | None = namespace.pop("_cookbook_run", None)
    if run is None:
        return {}
    where = f"{page} [{run.variant}]"
    try:
        # Whatever the page left running may still connect: stop it, then read the logs.
        run.stop_processes()
        run.audit(f"{where}, after its last block")
        if run.variant == "secure" and run.pki is not None and not cockroach_run():
            _decoy_test(run, where)
        return {"connections": audit.summary(run.connections), "pastes": run.pastes}
    finally:
        run.close()


def _decoy_test(run: PageRun, where: str) -> None:
    """The page's own clients, with its Secure settings, must refuse both decoys."""
    if not any(c.user == DATABASE_USER and not c.refused for c in run.connections):
        raise SnippetFailure(
            f"{where}: the Secure variant made no connection to the secure server, so "
            "nothing shows that it is secure"
        )
    with audit.decoys(run.pki) as decoys:
        # Each decoy in a terminal of its own, side by side: they share nothing, and most
        # of the time goes to starting Python for Django's connection.
        with ThreadPoolExecutor(max_workers=len(decoys)) as pool:
            probes = [pool.submit(_probe_decoy, run, decoy, where) for decoy in decoys]
        for probe in probes:
            probe.result()


def _probe_decoy(run: PageRun, decoy: audit.Decoy, where: str) -> None:
    """The page's clients, with its Secure settings but the decoy's address, refuse it."""
    probe = Shell(run.shell_cwd, run.shell_env)
    try:
        # The page's own settings, but the decoy's address.
        address = f"env -u PGHOSTADDR PGHOST=127.0.0.1 PGPORT={decoy.port}"
        clients = {"psql": f"{address} psql -X -A -t -c 'SELECT 1'"}
        if (run.shell_cwd / "manage.py").exists():
            clients["Django's connection"] = (
                f"{address} python manage.py shell --no-imports -c "
                "'from django.db import connection; connection.ensure_connection()'"
            )
        for client, command in clients.items():
            seen = decoy.seen
            output, _ = probe.run(command, timeout=120)
            if not decoy.wait_for_more_than(seen, timeout=10):
                raise SnippetFailure(
                    f"{where}: {client}, with the page's Secure settings and PGPORT "
                    f"pointed at a decoy server, never reached it:\n{output}"
                )
            if decoy.accepted:
                what = {
                    "name": "a certificate for another name (decoy.invalid)",
                    "authority": "a certificate from another authority",
                }[decoy.kind]
                raise SnippetFailure(
                    f"{where}: {client}, with the page's Secure settings, accepted "
                    f"{what} from a decoy server ({', '.join(decoy.accepted)}): the "
                    "Secure variant must check the server (sslmode=verify-full, "
                    "sslrootcert naming your CA)"
                )
    finally:
        probe.close()


LANGUAGES = {
    "console": reporting(evaluate_console),
    "sql": reporting(evaluate_sql),
    "python": reporting(evaluate_python),
    "pycon": reporting(evaluate_pycon),
}


class VariantParser:
    """Yields a parser's regions that belong to one variant of the page."""

    def __init__(self, parser: Any, variant: str) -> None:
        self.parser = parser
        self.variant = variant

    def __call__(self, document: Document) -> Iterable[Region]:
        page = parse_page(Path(document.path))
        if self.variant not in page.variants:
            return
        for region in self.parser(document):
            line = document.text.count("\n", 0, region.start) + 1
            if page.variant_at(line) in (None, self.variant):
                yield region


def _setup(variant: str):  # type: ignore[no-untyped-def]
    def setup(namespace: dict[str, Any]) -> None:
        namespace["_cookbook_variant"] = variant
        namespace.update(skip_namespace())

    return setup


def skip_namespace() -> dict[str, Any]:
    """The names a page's conditional skips may use."""
    return {
        # `% skip: next if(django_version < (6, 0), reason="...")`
        "django_version": django_version(),
        # `% skip: next if(not cockroach, reason="...")`: blocks for a CockroachDB node.
        "cockroach": cockroach_run(),
    }


def _teardown(namespace: dict[str, Any]) -> None:
    run = namespace.pop("_cookbook_run", None)
    if run is not None:
        run.close()


@functools.cache
def sybils() -> list[Sybil]:
    """One Sybil per variant over every page under docs/."""
    made = []
    for variant in VARIANTS:
        parsers: list[Any] = [
            CodeBlockParser(language, evaluator) for language, evaluator in LANGUAGES.items()
        ]
        parsers += [FileParser(), NotShownParser(), SkipParser()]
        made.append(
            Sybil(
                parsers=[VariantParser(parser, variant) for parser in parsers],
                path=str(DOCS),
                pattern="*.md",
                excludes=["_build/*"],
                setup=_setup(variant),
                teardown=_teardown,
                fixtures=["cookbook_servers", "cockroach_nodes"],
                name=variant,
            )
        )
    return made


def django_version() -> tuple[int, ...]:
    """The installed Django's (major, minor), as the pages' skip conditions compare it."""
    from importlib.metadata import version

    return tuple(int(part) for part in version("django").split(".")[:2])


def cockroach_run() -> bool:
    """Whether this is the CockroachDB run (``nox -s cockroachdb``), not the PostgreSQL one.

    In that run the pages whose front matter says ``cockroachdb: true`` run
    against CockroachDB nodes, and their blocks skipped ``if(not cockroach)``
    execute while those skipped ``if(cockroach)`` do not.
    """
    return os.environ.get(cockroach.RUN_VARIABLE) == "1"
