"""Secure/Insecure tabs: one click switches every tab set, and the choice follows the reader."""

from __future__ import annotations

from conftest import SITE
from playwright.sync_api import Page

# For each tab set on the page: the label of its selected tab, and the labels of the
# tabs whose panel is shown.
TAB_SETS = """() => Array.from(document.querySelectorAll('.sphinx-tabs [role="tablist"]'))
  .map((list) => {
    const tabs = Array.from(list.querySelectorAll('[role="tab"]'));
    const selected = tabs.filter((tab) => tab.getAttribute("aria-selected") === "true");
    const shown = tabs.filter(
      (tab) => !document.getElementById(tab.getAttribute("aria-controls")).hidden
    );
    return [selected.map((t) => t.textContent).join(), shown.map((t) => t.textContent).join()];
  })"""


def recipe_pages_with_tabs() -> list[str]:
    """Recipe pages that have Secure/Insecure tabs, those with the most tab sets first."""
    counts = {
        path.name: path.read_text().count('role="tablist"')
        for path in sorted((SITE / "recipes").glob("*.html"))
    }
    return sorted((name for name, n in counts.items() if n), key=lambda name: -counts[name])


def tab_sets(page: Page) -> list[list[str]]:
    return page.evaluate(TAB_SETS)


def test_insecure_switches_every_tab_set_and_stays_chosen(page: Page) -> None:
    first, following = recipe_pages_with_tabs()[:2]
    page.goto(f"recipes/{first}")
    count = len(tab_sets(page))
    assert count >= 2, f"{first} should have several tab sets to show them switch together"
    assert tab_sets(page) == [["Secure", "Secure"]] * count

    # A click on the last tab set, so the others follow a tab set they are not.
    page.get_by_role("tab", name="Insecure", exact=True).last.click()
    assert tab_sets(page) == [["Insecure", "Insecure"]] * count

    # The next recipe, reached as a reader does, through the navigation.
    page.locator(f'.sidebar-tree a[href="{following}"]').click()
    page.wait_for_url(f"**/recipes/{following}")
    assert tab_sets(page) == [["Insecure", "Insecure"]] * len(tab_sets(page))
    assert tab_sets(page)

    page.reload()
    assert tab_sets(page) == [["Insecure", "Insecure"]] * len(tab_sets(page))

    # And back: Secure is a choice that carries too.
    page.get_by_role("tab", name="Secure", exact=True).first.click()
    page.go_back()
    page.reload()
    assert tab_sets(page) == [["Secure", "Secure"]] * count
