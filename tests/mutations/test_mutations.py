"""One mutation per test; each must make the narrowest check fail with the right message."""

from __future__ import annotations

from conftest import Mutant

HOWTO = "docs/howto/database-servers.md"
CORE = "docs/recipes/core.md"
# The core example's suite in the Secure variant, and the coverage of what the pages
# include from it (test_included_coverage judges only the examples whose suites ran).
CORE_SECURE_SUITE = (
    "test_examples.py::test_example_suite[secure-core]",
    "test_included_coverage.py::test_included_python_ran[secure]",
)
RENDERED_AS_DJANGO = "test_startproject_and_startapp_files_render_as_django_renders_them"
SECURE_EXPORT = (
    "$ export PGHOST=127.0.0.1 PGPORT=15433 PGDATABASE=cookbook PGUSER=cookbook \\\n"
    "    PGSSLMODE=verify-full PGSSLROOTCERT=$PWD/certs/ca.crt \\\n"
    "    PGSSLCERT=$PWD/certs/client.crt PGSSLKEY=$PWD/certs/client.key"
)


def test_changed_console_output(mutant: Mutant) -> None:
    mutant.replace(HOWTO, "subject=CN = cookbook", "subject=CN = somebody")
    mutant.pytest(f"../{HOWTO}").assert_fails_with(
        f"{HOWTO}:", "differs from the page", "-subject=CN = somebody", "+subject=CN = cookbook"
    )


def test_changed_sql_result(mutant: Mutant) -> None:
    mutant.replace(HOWTO, " cookbook     | cookbook\n", " cookbook     | postgres\n")
    mutant.pytest(f"../{HOWTO}").assert_fails_with("differs from the page", "cookbook | postgres")


def test_changed_pycon_output(mutant: Mutant) -> None:
    mutant.replace(
        CORE,
        '>>> Post.objects.filter(title__icontains="django").count()\n1\n',
        '>>> Post.objects.filter(title__icontains="django").count()\n2\n',
    )
    mutant.pytest(f"../{CORE}").assert_fails_with(f"{CORE}:", "[secure]", "2")


def test_secure_only_change(mutant: Mutant) -> None:
    mutant.replace(HOWTO, " t   | TLSv1.3", " t   | TLSv1.2")
    check = mutant.pytest(f"../{HOWTO}", "-k", "secure and not insecure")
    check.assert_fails_with("[secure]", "differs from the page", "- t   | TLSv1.2")
    insecure = mutant.pytest(f"../{HOWTO}", "-k", "insecure")
    assert insecure.returncode == 0, insecure.output


def test_secure_tab_without_verify_full(mutant: Mutant) -> None:
    mutant.replace(
        HOWTO, "PGSSLMODE=verify-full PGSSLROOTCERT=$PWD/certs/ca.crt", "PGSSLMODE=require"
    )
    mutant.pytest(f"../{HOWTO}").assert_fails_with(
        f"{HOWTO} [secure]", "accepted a certificate for another name", "decoy server (127.0.0.1:"
    )


def test_secure_tab_pointed_at_the_insecure_server(mutant: Mutant) -> None:
    mutant.replace(
        CORE,
        SECURE_EXPORT,
        "$ export PGHOST=127.0.0.1 PGPORT=15432 PGDATABASE=cookbook PGUSER=cookbook "
        "PGPASSWORD=cookbook",
    )
    mutant.pytest(f"../{CORE}").assert_fails_with(
        f"{CORE}:",
        "[secure]: the Secure variant allows TLS with a client certificate",
        "to the insecure server as cookbook, database cookbook, without TLS, "
        "authenticated by a password",
    )


def test_copied_block_without_its_import(mutant: Mutant) -> None:
    mutant.replace("examples/core/blog/views.py", "from .models import Post\n", "")
    mutant.pytest("test_copied_code.py").assert_fails_with(
        "docs/recipes/core.md:", "blog/views.py, line", "undefined name 'Post'"
    )


def test_new_bash_block_without_a_skip(mutant: Mutant) -> None:
    (mutant.root / HOWTO).write_text((mutant.root / HOWTO).read_text() + "\n```bash\nls\n```\n")
    mutant.pytest("test_snippet_accounting.py").assert_fails_with(
        "a bash block that is neither included, executed", "nor skipped with a reason"
    )


def test_new_text_block_without_a_skip(mutant: Mutant) -> None:
    (mutant.root / HOWTO).write_text((mutant.root / HOWTO).read_text() + "\n```text\nhello\n```\n")
    mutant.pytest("test_snippet_accounting.py").assert_fails_with(
        "a text block that is neither included, executed"
    )


def test_false_docstring_example(mutant: Mutant) -> None:
    mutant.replace(
        "tests/cookbook_harness/matching.py",
        '    """None when ``got`` matches ``want`` (with ``...`` wildcards), else a diff."""',
        '    """None when ``got`` matches ``want``, else a diff.\n\n    >>> 1 + 1\n    3\n    """',
    )
    mutant.pytest("test_snippet_accounting.py").assert_fails_with(
        "a >>> example from", "matching.py", "no run executes it"
    )


def test_unexecuted_line_in_an_included_region(mutant: Mutant) -> None:
    mutant.replace(
        "examples/core/blog/views.py",
        '    return HttpResponse("Hello, world")\n',
        # A function no test calls: its body is a line that never runs. (A line after
        # the return would not do: coverage does not count unreachable code.)
        '    return HttpResponse("Hello, world")\n\n\ndef goodbye() -> str:\n    return "never"\n',
    )
    check = mutant.pytest(*CORE_SECURE_SUITE)
    check.assert_fails_with(
        "docs/recipes/core.md:", "[secure] shows examples/core/blog/views.py: lines", "never ran"
    )


def test_unexecuted_branch_in_an_included_region(mutant: Mutant) -> None:
    mutant.replace(
        "examples/core/blog/views.py",
        '    return HttpResponse("Hello, world")\n',
        '    if request is not None:\n        pass\n    return HttpResponse("Hello, world")\n',
    )
    check = mutant.pytest(*CORE_SECURE_SUITE)
    check.assert_fails_with("[secure] shows examples/core/blog/views.py: branches", "never ran")


def test_failing_example_test_shows_on_the_status_page(mutant: Mutant) -> None:
    mutant.replace(
        "examples/core/tests/test_models.py",
        "    assert Post.objects.count() == 0\n",
        "    assert Post.objects.count() == 1\n",
    )
    check = mutant.pytest("test_examples.py::test_example_suite[secure-core]")
    check.assert_fails_with(
        "examples/core [secure] failed",
        "tests.test_models::test_deleting_an_author_cascades_to_posts",
    )
    status = mutant.build_site() / "status.html"
    page = status.read_text()
    assert "FAILED (1 test)" in page
    assert "test_example_suite[secure-core]" in page
    assert "test_deleting_an_author_cascades_to_posts" in page


def test_startproject_templates_rendered_otherwise_than_django(mutant: Mutant) -> None:
    mutant.replace(
        "tests/cookbook_harness/assembly.py",
        "lambda match: context[match[1]]",
        'lambda match: context[match[1]].replace("&", "&amp;")',
    )
    check = mutant.pytest("test_harness.py::" + RENDERED_AS_DJANGO)
    check.assert_fails_with(RENDERED_AS_DJANGO, "[project_template]")


def test_lean_pages_losing_the_indentation_of_code(mutant: Mutant) -> None:
    mutant.replace(
        "docs/_ext/cookbook_sphinx/page_weight.py",
        "(pre|textarea|script|style)",
        "(textarea|script|style)",
    )
    check = mutant.pytest("test_page_weight.py::test_indentation_goes_only_where_it_does_not_show")
    check.assert_fails_with("<pre tabindex")


def test_copy_buttons_script_losing_its_english_fallback(mutant: Mutant) -> None:
    mutant.replace(
        "docs/_ext/cookbook_sphinx/page_weight.py", 'in {"en", language}', "in {language}"
    )
    check = mutant.pytest(
        "test_page_weight.py::"
        "test_the_copy_buttons_script_keeps_the_messages_of_the_site_language_and_english"
    )
    check.assert_fails_with("'en': {", "AssertionError")


def test_icon_sprite_losing_an_icon_the_page_shows(mutant: Mutant) -> None:
    mutant.replace(
        "docs/_ext/cookbook_sphinx/page_weight.py",
        """lambda symbol: symbol.group() if f'href="#{symbol["id"]}"' in html else "\"""",
        'lambda symbol: ""',
    )
    check = mutant.pytest(
        "test_page_weight.py::test_only_the_icons_the_page_shows_stay_in_the_sprite"
    )
    check.assert_fails_with('<symbol id="svg-toc"')
