"""A reader in Chromium: today's feed, a paper page, the previous day, on a laptop and a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_opens_the_feed_follows_a_card_and_goes_back_a_day(
    live_server: Any, demo_papers: int, page: Any, screenshots: Path
) -> None:
    page.goto(live_server.url + "/")
    assert_accessible(page)
    heading = page.locator("h1").inner_text()
    assert heading == "Wednesday, 1 July 2026"
    cards = page.locator("article.card")
    assert cards.count() == 30
    page.screenshot(path=str(screenshots / "feed-laptop.png"), full_page=False)

    # The abstract is collapsed to a few lines and expands in place.
    first = cards.first
    abstract = first.locator(".abstract")
    collapsed = abstract.bounding_box()["height"]
    show_more = first.get_by_role("button", name="Show more of the abstract")
    assert show_more.get_attribute("aria-expanded") == "false"
    show_more.click()
    assert abstract.bounding_box()["height"] > collapsed
    assert first.locator("button.expand").get_attribute("aria-expanded") == "true"
    assert first.locator("button.expand").text_content() == "Show less of the abstract"

    title = first.locator("h3 a").inner_text()
    first.locator("h3 a").click()
    page.wait_for_url("**/papers/*")
    assert_accessible(page)
    assert page.locator("h1.paper-title").inner_text() == title
    assert page.locator("a", has_text="PDF").get_attribute("href").startswith("https://arxiv.org/pdf/")
    page.screenshot(path=str(screenshots / "paper-laptop.png"), full_page=True)

    page.go_back()
    page.locator("a[rel=prev]").first.click()
    page.wait_for_url("**/papers/date/2026-06-30")
    assert page.locator("h1").inner_text() == "Tuesday, 30 June 2026"
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "previous-day-laptop.png"))


def test_math_renders_and_the_feed_reads_on_a_phone(
    live_server: Any, demo_papers: int, chromium: Any, screenshots: Path
) -> None:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    phone = context.new_page()
    phone.goto(live_server.url + "/papers/date/2026-07-01?sort=newest")
    assert_accessible(phone)
    # No sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshots / "feed-phone.png"))
    math_paper = phone.evaluate(
        "() => { const m = document.querySelector('article.card .title math');"
        " return m ? m.closest('article').querySelector('h3 a').getAttribute('href') : null }"
    )
    if math_paper is None:  # no title with math on this page: use the first abstract that has some
        math_paper = phone.evaluate(
            "() => document.querySelector('article.card .abstract math').closest('article')"
            ".querySelector('h3 a').getAttribute('href')"
        )
    phone.goto(live_server.url + math_paper)
    assert_accessible(phone)
    box = phone.locator("math").first.bounding_box()
    assert box is not None and box["width"] > 0  # laid out by the browser's MathML engine
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshots / "paper-phone.png"), full_page=True)
    context.close()
