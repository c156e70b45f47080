"""The 404 page: styled from the site's own files by relative paths, so it works offline."""

from __future__ import annotations

from conftest import SITE
from playwright.sync_api import Browser, Page, expect

# Every stylesheet the page links to was loaded (a failed one has no sheet).
STYLESHEETS = """() => Array.from(document.querySelectorAll('link[rel="stylesheet"]'))
  .map((link) => [link.getAttribute("href"), link.sheet !== null])"""


def test_not_found_page_links_home(page: Page) -> None:
    page.goto("404.html")
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Page not found")
    sheets = page.evaluate(STYLESHEETS)
    assert sheets and all(loaded for _, loaded in sheets), sheets
    page.get_by_role("main").get_by_role("link", name="home page").click()
    page.wait_for_url("**/index.html")


def test_not_found_page_works_from_the_file_system(browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.goto((SITE / "404.html").as_uri())
        sheets = page.evaluate(STYLESHEETS)
        assert sheets and all(loaded for _, loaded in sheets), sheets
        assert all(not href.startswith(("/", "http")) for href, _ in sheets)
    finally:
        page.close()
