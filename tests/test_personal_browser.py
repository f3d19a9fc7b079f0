"""The journey in Chromium: sign up, follow an author, save, mute, not interested, read /for-you."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from paperwire.papers.models import Paper
from tests.community_data import PASSWORD
from tests.personal_fixtures import LATER

pytest_plugins = ["tests.community_fixtures", "tests.personal_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]
EARLIER = "2026-06-12"


def test_a_member_follows_saves_mutes_and_reads_why_on_for_you(
    transactional_db: None, papers: int, live_server: Any, page: Any, screenshots: Path, smtp_inbox: Any
) -> None:
    base = live_server.url
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", "grace@example.org")
    page.fill("input[name=username]", "grace")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit]")
    [mail] = smtp_inbox.wait_for(1)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail)
    assert link, mail
    page.goto(link.group(0))
    page.click("form button[type=submit]")
    page.wait_for_selector("a.me:has-text('grace')")

    # Follow the first author of a paper listed on the later day, from the link on its name.
    page.goto(f"{base}/papers/date/{LATER}?sort=newest")
    first = page.locator("article.card").first
    name = first.locator("a.author").first.inner_text()
    first.locator("a.author").first.click()
    page.click(f"button:has-text('Follow {name}')")
    page.wait_for_selector(f"button[aria-pressed=true]:has-text('Following {name}')")

    # Save three papers of an earlier day in place (htmx), and say "not interested" to one.
    page.goto(f"{base}/papers/date/{EARLIER}")
    cards = page.locator("article.card")
    for i in range(3):
        cards.nth(i).locator("form.save button").click()
        cards.nth(i).locator("form.save button[aria-pressed=true]").wait_for()
    gone_title = cards.nth(4).locator("h3.title").inner_text()
    cards.nth(4).locator("form.not-interested button").click()
    page.wait_for_selector("article.card.collapsed:has-text('Undo')")
    assert page.url.endswith(EARLIER)  # swapped in place: no page load

    # Mute a word from a title of the later day.
    target = Paper.objects.filter(listing_day=LATER).exclude(authors__icontains=name).order_by("pk").first()
    assert target is not None
    word = max(re.findall(r"[A-Za-z]{5,}", target.title), key=len)
    page.goto(base + "/settings/interests")
    page.select_option("select[name=kind] >> nth=1", "word")
    page.fill("form[action='/settings/mutes'] input[name=value]", word)
    page.click("form[action='/settings/mutes'] button:has-text('Mute')")
    page.wait_for_selector(f".rules li:has-text('{word}')")

    page.goto(f"{base}/for-you?date={LATER}")
    page.wait_for_selector(f".why li:has-text('by {name}, whom you follow')")
    assert page.locator(".why li:has-text('close to')").count() >= 1
    assert page.is_visible("text=hidden by your mute rules")
    assert target.title not in page.content()
    assert gone_title not in page.content()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "personal-for-you.png"), full_page=False)
    ranked = lambda: int(page.locator(".feed-head .sub").inner_text().split()[0])  # noqa: E731
    before = ranked()
    page.click("text=show them")
    page.wait_for_selector(".hidden-line:has-text('your mute rules hide — hide them')")
    hidden = int(re.findall(r"Showing (\d+) papers", page.content())[0])
    assert hidden >= 1 and ranked() == before + hidden  # the hidden papers are ranked again
