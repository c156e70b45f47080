"""The Python process in which one page's ``python`` and ``pycon`` blocks run.

Started by the snippet runner in the page's scratch copy of its example project
with ``DJANGO_SETTINGS_MODULE`` set, it sets Django up once, then reads one
JSON request per line on standard input and answers on the file descriptor
named by ``COOKBOOK_RESPONSE_FD`` (so that what a snippet prints cannot be
mistaken for an answer). All blocks of the page share one namespace.
"""

from __future__ import annotations

import doctest
import io
import json
import os
import sys
import traceback
from typing import Any


def run_python(source: str, path: str, line: int, namespace: dict[str, Any]) -> dict[str, Any]:
    # Padding keeps traceback line numbers equal to the page's line numbers.
    code = compile("\n" * line + source, path, "exec")
    try:
        exec(code, namespace)
    except BaseException:
        return {"ok": False, "report": traceback.format_exc()}
    return {"ok": True, "report": ""}


def run_doctest(source: str, path: str, line: int, namespace: dict[str, Any]) -> dict[str, Any]:
    test = doctest.DocTestParser().get_doctest(source, namespace, path, path, line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    report = io.StringIO()
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)
    return {"ok": runner.failures == 0, "report": report.getvalue()}


def main() -> None:
    answers = os.fdopen(int(os.environ["COOKBOOK_RESPONSE_FD"]), "w", buffering=1)
    sys.path.insert(0, os.getcwd())
    try:
        import django

        django.setup()
    except BaseException:
        answers.write(json.dumps({"ok": False, "report": traceback.format_exc()}) + "\n")
        return
    answers.write(json.dumps({"ok": True, "report": ""}) + "\n")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    handlers = {"python": run_python, "pycon": run_doctest}
    for request_line in sys.stdin:
        request = json.loads(request_line)
        handler = handlers[request["kind"]]
        answer = handler(request["source"], request["path"], request["line"], namespace)
        sys.stdout.flush()
        sys.stderr.flush()
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
