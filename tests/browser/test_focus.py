"""Every element the keyboard reaches on a recipe page shows that it has the focus
(WCAG 2.4.7, which axe-core does not check), in the light and the dark colour scheme.

The test tabs through the page from the top. At each stop it photographs the element
and its surroundings with the focus, then without it (the element blurred), and counts
the pixels that changed by a contrast of at least 3:1, as a visible focus indicator
must (WCAG 1.4.11). Too few such pixels: that stop shows no focus.
"""

from __future__ import annotations

import base64
from typing import Literal

import pytest
from conftest import SITE
from playwright.sync_api import Browser, ElementHandle, Page, ViewportSize

# Around the element: room for a ring drawn outside it.
MARGIN_PX = 6
# A ring of 2 px around the smallest control here (a copy button, 27 px square)
# changes far more pixels than this; text that merely darkens a little, none.
MIN_CHANGED_PIXELS = 40
MIN_CONTRAST = 3.0
# A page with more stops than this is tabbing in a loop.
MAX_STOPS = 400

# The element with the focus, unless it is the page itself; marks each one seen.
NEXT_STOP = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  window.focusStopsSeen ??= new WeakSet();
  if (window.focusStopsSeen.has(element)) return null;
  window.focusStopsSeen.add(element);
  return element;
}"""
INSTANT_SCROLLING = "html { scroll-behavior: auto !important; }"
FINISH_TRANSITIONS = "() => document.getAnimations().forEach((a) => a.finish())"
DESCRIBE = """(element) => {
  const text = (element.innerText || element.value || element.getAttribute("aria-label") || "")
    .trim().split("\\n")[0].slice(0, 40);
  const classes = element.className && typeof element.className === "string"
    ? "." + element.className.trim().split(/\\s+/).join(".") : "";
  return `<${element.tagName.toLowerCase()}${classes}> "${text}"`;
}"""
# The pixels of two PNG images of the same size that differ by a contrast of at least
# `minimum`, counted in the browser (which decodes PNG).
CHANGED_PIXELS = """async ([first, second, minimum]) => {
  const pixels = async (png) => {
    const bitmap = await createImageBitmap(
      await (await fetch(`data:image/png;base64,${png}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  };
  const linear = (value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (data, i) =>
    0.2126 * linear(data[i]) + 0.7152 * linear(data[i + 1]) + 0.0722 * linear(data[i + 2]);
  const [a, b] = [await pixels(first), await pixels(second)];
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    const [x, y] = [luminance(a, i), luminance(b, i)];
    if ((Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05) >= minimum) changed += 1;
  }
  return changed;
}"""


def recipe_pages() -> list[str]:
    return sorted(path.relative_to(SITE).as_posix() for path in (SITE / "recipes").glob("*.html"))


def around(page: Page, element: ElementHandle) -> dict[str, float] | None:
    """The element's box with a margin, within the viewport (None: nothing of it shows)."""
    box = element.bounding_box()
    viewport = page.viewport_size
    if box is None or viewport is None:
        return None
    left = max(box["x"] - MARGIN_PX, 0)
    top = max(box["y"] - MARGIN_PX, 0)
    right = min(box["x"] + box["width"] + MARGIN_PX, viewport["width"])
    bottom = min(box["y"] + box["height"] + MARGIN_PX, viewport["height"])
    if right - left < 1 or bottom - top < 1:
        return None
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def stops_without_focus(page: Page, judge: Page) -> tuple[int, list[str]]:
    """Tab through ``page``; the number of stops, and those that show no focus."""
    unseen = []
    for stops in range(MAX_STOPS):
        page.keyboard.press("Tab")
        handle = page.evaluate_handle(NEXT_STOP)
        element = handle.as_element()
        if element is None:
            return stops, unseen
        # Transitions (the copy button fades in, the skip link slides down) are
        # finished before the element is measured and photographed.
        page.evaluate(FINISH_TRANSITIONS)
        clip = around(page, element)
        name = element.evaluate(DESCRIBE)
        if clip is None:
            unseen.append(f"{name}: not on the screen")
            continue
        focused = page.screenshot(clip=clip, animations="disabled")
        element.evaluate("(element) => element.blur()")
        page.evaluate(FINISH_TRANSITIONS)
        unfocused = page.screenshot(clip=clip, animations="disabled")
        element.evaluate("(element) => element.focus()")
        pair = [base64.b64encode(image).decode() for image in (focused, unfocused)]
        changed = judge.evaluate(CHANGED_PIXELS, [*pair, MIN_CONTRAST])
        if changed < MIN_CHANGED_PIXELS:
            unseen.append(f"{name}: {changed} pixels change by {MIN_CONTRAST}:1")
    raise AssertionError(f"more than {MAX_STOPS} focus stops: tabbing loops")


# Wide: both sidebars beside the page. Narrow: furo keeps the table of contents
# behind a button (below 82em), where its links must not take the focus.
LAYOUTS: dict[str, tuple[ViewportSize, Literal["light", "dark"]]] = {
    "wide-light": ({"width": 1400, "height": 800}, "light"),
    "wide-dark": ({"width": 1400, "height": 800}, "dark"),
    "narrow-light": ({"width": 1024, "height": 768}, "light"),
}


def cases() -> list[tuple[str, str]]:
    """Every recipe in both wide schemes; the narrow layout (the same templates, the
    same sidebars) on the first recipe."""
    pages = recipe_pages()
    wide = [(path, layout) for path in pages for layout in LAYOUTS if layout.startswith("wide")]
    return wide + [(pages[0], "narrow-light")]


@pytest.mark.parametrize(("path", "layout"), cases())
def test_every_focus_stop_shows_the_focus(
    browser: Browser, base_url: str, path: str, layout: str
) -> None:
    viewport, scheme = LAYOUTS[layout]
    context = browser.new_context(base_url=base_url, viewport=viewport, color_scheme=scheme)
    try:
        # Opened first, so that the page is the one in front: photographing a page in
        # the background takes seconds.
        judge = context.new_page()
        page = context.new_page()
        page.goto(path)
        # Furo scrolls smoothly to what gets the focus; the photographs need it there.
        page.add_style_tag(content=INSTANT_SCROLLING)
        stops, unseen = stops_without_focus(page, judge)
        # Links, code blocks, copy buttons, tabs: a recipe has dozens.
        assert stops > 20
        assert unseen == [], f"{len(unseen)} of {stops} stops show no focus"
    finally:
        context.close()
