"""Every page a visitor or member reaches passes axe-core's WCAG 2.1 A/AA rules, light and dark."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.accessibility import describe, violations
from tests.community_data import make_member

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
