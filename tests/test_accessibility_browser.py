"""Every page a visitor or member reaches passes axe-core's WCAG 2.1 A/AA rules, light and dark."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from paperwire.appearance.models import ThemeChoice
from tests.accessibility import assert_accessible, describe, violations
from tests.community_data import PASSWORD, make_member

pytest_plugins = ["tests.community_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def front_paper() -> str:
    """Return the id of a paper on the demo set's last listing day (today's feed)."""
    from paperwire.papers.models import Paper

    return Paper.objects.order_by("-listing_day", "arxiv_id").values_list("arxiv_id", flat=True)[0]


def log_in(context: Any, base: str, user: Any) -> None:
    """Give the browser context a logged-in session cookie for user."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def comment_on(paper_id: str, user: Any, body: str, parent: Any = None) -> Any:
    """Post a comment through the community app's own function."""
    from paperwire.community import comments
    from paperwire.papers.models import Paper

    parent_id = parent.pk if parent is not None else None
    return comments.create(user, Paper.objects.get(arxiv_id=paper_id), body, parent_id)


def check_pages(page: Any, base: str, paths: list[str]) -> dict[str, str]:
    """Return the axe-core violations found on each path, light and dark, by path."""
    found = {}
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status < 500, path
        by_scheme = {}
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            if rules := violations(page):
                by_scheme[scheme] = rules
        page.emulate_media(color_scheme="light")
        if by_scheme:
            found[path] = describe(by_scheme)
    return found


def test_every_page_a_visitor_reaches_has_no_axe_violations_in_either_scheme(
    live_server: Any, demo_papers: int, page: Any
) -> None:
    ada = make_member("ada")
    paper = front_paper()
    first = comment_on(paper, ada, "A **clear** result; see [the code](https://example.org).")
    comment_on(paper, ada, "And a reply with `x < y`.", parent=first)
    paths = [
        "/",
        "/papers/week/2026-W27",
        "/papers/month/2026-06",
        "/search",
        "/search?q=diffusion",
        f"/papers/{paper}",
        "/about",
        "/members/ada",
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/digests/unsubscribe/not-a-token",
        "/papers/0000.00000",
    ]
    found = check_pages(page, live_server.url, paths)
    assert not found, "\n".join(f"{p}:\n{v}" for p, v in found.items())


def test_every_page_a_member_reaches_has_no_axe_violations_in_either_scheme(
    live_server: Any, demo_papers: int, page: Any
) -> None:
    ada = make_member("ada", display_name="Ada Lovelace")
    paper = front_paper()
    bob = make_member("bob")
    mine = comment_on(paper, ada, "My comment.")
    theirs = comment_on(paper, bob, "Bob's comment, with a [link](https://example.org) in it.")
    log_in(page.context, live_server.url, ada)
    paths = [
        "/",
        f"/papers/{paper}",
        "/search?q=diffusion",
        "/submit",
        "/settings/profile",
        "/settings/digest",
        f"/comments/{mine.pk}/edit",
        f"/comments/{theirs.pk}/report",
        "/members/ada",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/logout/",
    ]
    found = check_pages(page, live_server.url, paths)
    assert not found, "\n".join(f"{p}:\n{v}" for p, v in found.items())


def tab_to(page: Any, selector: str, *, back: bool = False, limit: int = 200) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches selector, and see its focus ring."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            style, width = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)] }"
            )
            assert style != "none" and width >= 2, f"{selector} has no visible focus ring"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def test_a_member_signs_up_votes_and_comments_with_the_keyboard_alone(
    live_server: Any, demo_papers: int, page: Any, smtp_inbox: Any, clear_cache: None, screenshots: Path
) -> None:
    base = live_server.url
    page.goto(base + "/")
    tab_to(page, "a[href='/accounts/signup/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/signup/")
    for name, text in [
        ("email", "ada@example.org"),
        ("username", "ada"),
        ("password1", PASSWORD),
        ("password2", PASSWORD),
    ]:
        tab_to(page, f"input[name={name}]")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Verify Your Email Address")
    [mail] = smtp_inbox.wait_for(1)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail)
    assert link, mail
    page.goto(link.group(0))  # the link in the e-mail
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("a.me:has-text('ada')")

    # Sort by keyboard: the arrow keys pick an option without leaving the page; Apply applies it.
    page.goto(base + "/")
    tab_to(page, "select[name=sort]")
    page.keyboard.press("ArrowDown")
    assert page.url == base + "/"
    tab_to(page, "form.filters button")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=newest**")

    card = page.locator(".cards > article").first
    vote = card.locator("form.vote button")
    assert vote.get_attribute("aria-label").startswith("Upvote, ")
    assert vote.get_attribute("aria-label").endswith(", not voted")
    tab_to(page, ".cards > article:first-child form.vote button")
    page.keyboard.press("Enter")
    card.locator("form.vote.on").wait_for()
    # The swapped-in button keeps focus, says what pressing it now does, and the change is announced.
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Remove upvote, upvoted, ")
    # The announcement follows htmx's settle step (20 ms after the swap): wait for it, then read it.
    page.wait_for_function("document.querySelector('#announce[role=status]').textContent !== ''")
    assert page.locator("#announce[role=status]").inner_text().startswith("Upvoted. ")

    tab_to(page, ".cards > article:first-child button.expand")
    page.keyboard.press("Enter")
    assert card.locator("button.expand").get_attribute("aria-expanded") == "true"
    tab_to(page, ".cards > article:first-child h3 a", back=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/*")

    tab_to(page, "#new-comment")
    page.keyboard.type("Typed **without** a mouse.")
    tab_to(page, "form.comment-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".comment-body strong:text-is('without')")
    tab_to(page, ".reply-box summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("And a reply, by keyboard too.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".replies .comment-body:has-text('by keyboard too')")
    assert_accessible(page)

    # The theme toggle: dark now, on the next page load (cookie), and for the member's account.
    tab_to(page, "button.theme-toggle", back=True)
    assert page.locator("button.theme-toggle").get_attribute("aria-pressed") == "false"
    with page.expect_response("**/settings/theme") as saved:
        page.keyboard.press("Enter")
    assert saved.value.status == 204
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator("button.theme-toggle").get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 17, 21)"
    assert ThemeChoice.objects.get(user__username="ada").theme == "dark"
    page.screenshot(path=str(screenshots / "keyboard-journey-dark.png"), full_page=True)


def test_both_themes_read_well_on_a_phone_and_a_laptop(
    live_server: Any, demo_papers: int, chromium: Any, screenshots: Path
) -> None:
    from paperwire.papers.models import Paper

    ada = make_member("ada")
    math_paper = Paper.objects.filter(abstract__contains="$").order_by("-listing_day", "arxiv_id")[0]
    first = comment_on(
        math_paper.arxiv_id, ada, "Is the **bound** tight? See [the code](https://example.org)."
    )
    comment_on(math_paper.arxiv_id, ada, "Replying: it is, for `n > 3`.", parent=first)
    pages = {"feed": "/", "paper": f"/papers/{math_paper.arxiv_id}", "search": "/search?q=diffusion model"}
    sizes = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
    backgrounds = {}
    for scheme in ("light", "dark"):
        for device, viewport in sizes.items():
            context = chromium.new_context(
                viewport=viewport, color_scheme=scheme, is_mobile=device == "phone", device_scale_factor=1
            )
            page = context.new_page()
            for name, path in pages.items():
                page.goto(live_server.url + path)
                assert_accessible(page, (scheme,))
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                shot = screenshots / f"theme-{scheme}-{device}-{name}.png"
                page.screenshot(path=str(shot), full_page=name == "paper")
                if name == "search":  # highlighted terms are on the page axe checked for contrast
                    assert page.locator("mark").count() > 0
            backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
            context.close()
    assert backgrounds == {"light": "rgb(247, 248, 250)", "dark": "rgb(15, 17, 21)"}


def test_titles_abstracts_and_math_share_one_type_family_in_readable_lines(
    live_server: Any, demo_papers: int, page: Any
) -> None:
    from paperwire.papers.models import Paper

    paper = Paper.objects.filter(abstract__contains="$").order_by("-listing_day", "arxiv_id")[0]
    page.goto(f"{live_server.url}/papers/{paper.arxiv_id}")
    assert_accessible(page)
    family = "el => getComputedStyle(el).fontFamily"
    assert page.eval_on_selector("h1.paper-title", family) == page.eval_on_selector(".abstract.full", family)
    # About 70 characters a line on a laptop: the abstract's box is capped at 70ch.
    chars_per_line = page.evaluate(
        "() => { const a = document.querySelector('.abstract.full'); const s = getComputedStyle(a);"
        " const c = document.createElement('canvas').getContext('2d'); c.font = s.font;"
        " return a.clientWidth / c.measureText('abcdefghijklmnopqrstuvwxyz').width * 26 }"
    )
    assert 50 <= chars_per_line <= 90, chars_per_line
    page.emulate_media(color_scheme="dark")
    ink = page.evaluate("getComputedStyle(document.querySelector('.abstract.full math')).color")
    assert ink == "rgb(230, 232, 236)"  # MathML takes the dark theme's ink, not black
