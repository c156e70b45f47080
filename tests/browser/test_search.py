"""The search box finds a recipe by a word that is only in its body, and the page opened
from the results shows that word marked."""

from __future__ import annotations

import re

from conftest import SITE, Traffic
from playwright.sync_api import Page, expect

# A word the DBOS recipe explains in its text, not in its title.
WORD = "idempotency"
RECIPE = "recipes/dbos.html"


def test_search_finds_a_recipe_by_a_word_from_its_body(page: Page) -> None:
    recipe = (SITE / RECIPE).read_text()
    title = recipe.split("<title>", 1)[1].split("</title>", 1)[0]
    assert WORD in recipe.lower() and WORD not in title.lower()

    page.goto("index.html")
    search = page.get_by_role("search").get_by_role("textbox", name="Search")
    search.fill(WORD)
    search.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = page.locator("#search-results")
    expect(results.locator(f'a[href^="{RECIPE}"]').first).to_be_visible()
    # A word that is on no page finds nothing: the hit above is not everything listed.
    page.goto("search.html?q=zyzzyvaqx")
    expect(results).to_contain_text("did not match any documents")


def test_search_words_are_highlighted_and_the_script_is_fetched_only_then(
    page: Page, traffic: Traffic
) -> None:
    """Recipes load sphinx_highlight.js only when there are search words to mark
    (cookbook_sphinx.page_weight: the loader in its place); those words are marked."""

    def highlighter_requests() -> int:
        return sum("/_static/sphinx_highlight.js" in url for url in traffic.requests)

    page.goto(RECIPE)
    page.wait_for_load_state("load")
    expect(page.locator("span.highlighted")).to_have_count(0)
    assert highlighter_requests() == 0, "a page opened without a search fetched the script"

    # After a search, the page opened from its results shows the word marked.
    page.goto(f"search.html?q={WORD}")
    fetched_by_search = highlighter_requests()
    page.locator("#search-results").locator(f'a[href^="{RECIPE}"]').first.click()
    page.wait_for_url(f"**/{RECIPE}*")
    marked = page.locator("article span.highlighted")
    expect(marked.first).to_have_text(re.compile(f"^{WORD}$", re.IGNORECASE))
    assert highlighter_requests() == fetched_by_search + 1

    # The words are used once: the same page opened again marks nothing.
    page.goto(RECIPE)
    page.wait_for_load_state("load")
    expect(page.locator("span.highlighted")).to_have_count(0)

    # A link may give the words itself, as ?highlight=.
    page.goto(f"{RECIPE}?highlight={WORD}")
    expect(marked.first).to_have_text(re.compile(f"^{WORD}$", re.IGNORECASE))
