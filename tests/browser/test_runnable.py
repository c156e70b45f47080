"""The expected clipboard text, checked without a browser."""

from __future__ import annotations

from runnable import runnable_text


def test_console_keeps_commands_and_their_continuation_lines() -> None:
    shown = (
        "$ curl -s \\\n"
        "    -d '{}' \\\n"
        "    http://127.0.0.1:8000/\n"
        '{"ok": true}\n'
        "\n"
        "$ echo done\n"
        "done\n"
    )
    assert runnable_text("console", shown) == (
        "curl -s \\\n    -d '{}' \\\n    http://127.0.0.1:8000/\necho done"
    )


def test_pycon_drops_output_and_keeps_continuations() -> None:
    shown = ">>> def f():\n...     return 1\n...\n>>> f()\n1\n"
    assert runnable_text("pycon", shown) == "def f():\n    return 1\n\nf()"


def test_sql_drops_the_result_table() -> None:
    shown = "=> SELECT 1 AS one,\n->   2 AS two;\n one | two\n-----+-----\n   1 |   2\n(1 row)\n"
    assert runnable_text("sql", shown) == "SELECT 1 AS one,\n  2 AS two;"


def test_blocks_without_prompts_are_copied_whole() -> None:
    assert runnable_text("python", "x = 1\n\ny = 2\n") == "x = 1\n\ny = 2"
    assert runnable_text("console", "plain text\n") == "plain text"


def test_pycon_wildcard_output_is_not_a_command() -> None:
    shown = ">>> print(1); print(uuid4())\n1\n...\n"
    assert runnable_text("pycon", shown) == "print(1); print(uuid4())"
