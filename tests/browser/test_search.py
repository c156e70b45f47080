"""The search box finds a recipe by a word that is only in its body."""

from __future__ import annotations

from conftest import SITE
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
