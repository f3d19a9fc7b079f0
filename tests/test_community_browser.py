"""The member's journey in Chromium: sign up, confirm by e-mail, submit, upvote, comment, reply."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from paperwire.papers.models import Paper
from tests.accessibility import assert_accessible
from tests.community_data import PASSWORD

pytest_plugins = ["tests.community_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def shoot(page: Any, folder: Path, name: str, *, full: bool = True) -> None:
    """Check the page with axe-core, then save a screenshot of it."""
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top of a full-page shot
    page.screenshot(path=str(folder / f"community-{name}.png"), full_page=full)


def test_a_member_signs_up_submits_upvotes_comments_and_replies(
    transactional_db: None,
    live_server: Any,
    page: Any,
    screenshots: Path,
    smtp_inbox: Any,
    arxiv_api: Any,
    settings: Any,
) -> None:
    settings.SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded arXiv answer is a 2016 paper
    base = live_server.url
    page.goto(base + "/")
    assert_accessible(page)
    page.click("text=Sign up")
    page.fill("input[name=email]", "ada@example.org")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shoot(page, screenshots, "1-signup")
    page.click("form button[type=submit]")
    page.wait_for_selector("text=Verify Your Email Address")
    shoot(page, screenshots, "1b-verification-sent")

    [mail] = smtp_inbox.wait_for(1)
    assert "ada@example.org" in mail
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail)
    assert link, mail
    page.goto(link.group(0))
    shoot(page, screenshots, "2-confirm")
    page.click("form button[type=submit]")
    page.wait_for_selector("a.me:has-text('ada')")

    page.click("text=Submit a paper")
    page.fill("input[name=paper]", "https://arxiv.org/abs/1605.08386v1")
    shoot(page, screenshots, "3-submit")
    page.click("form.submit-form button[type=submit]")
    page.wait_for_selector("h1.paper-title:has-text('Heat-bath random walks')")
    assert page.is_visible("text=is on today's feed")

    page.click("form.vote button")  # htmx swaps the button in place
    page.wait_for_selector("form.vote.on .count:text-is('1')")
    assert page.url.endswith("/papers/1605.08386")  # no page load: the button was swapped

    page.fill("#new-comment", "**Lovely** bound on the diameter. Does it hold for `n > 3`?")
    page.click("form.comment-form button:has-text('Comment')")
    page.wait_for_selector(".comment-body strong:text-is('Lovely')")

    page.click(".reply-box summary")
    page.fill(".reply-box textarea", "Replying to myself: it does, see section 4.")
    page.click(".reply-box button:has-text('Reply')")
    page.wait_for_selector(".replies .comment-body:has-text('section 4')")
    page.click("#ranking summary")
    assert page.is_visible("#ranking li:has-text('1 upvote here: 1 point.')")
    shoot(page, screenshots, "4-paper")
    page.set_viewport_size(PHONE)
    shoot(page, screenshots, "5-paper-phone")

    page.set_viewport_size(LAPTOP)
    page.goto(base + "/")
    card = page.locator("#paper-160508386")
    card.wait_for()
    assert card.locator(".vote .count").inner_text() == "1"
    assert " ".join(card.locator(".comments").inner_text().split()) == "2 comments"
    assert "submitted by ada" in card.inner_text()
    shoot(page, screenshots, "6-feed")
    page.set_viewport_size(PHONE)
    shoot(page, screenshots, "7-feed-phone")

    page.set_viewport_size(LAPTOP)
    page.click("a.me")
    page.wait_for_selector("h1:text-is('ada')")
    assert "Heat-bath random walks" in page.inner_text(".profile-cols")
    shoot(page, screenshots, "8-profile")
    page.goto(base + "/about")
    shoot(page, screenshots, "9-about")

    paper = Paper.objects.get(arxiv_id="1605.08386")
    assert (paper.upvotes, paper.num_comments, paper.submitted_by) == (1, 2, "ada")
