"""Saved searches, members' own subscriptions and search feeds: saving from /search, the
settings page, private revocable feeds, digest sections of new matches, hostile input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from paperwire.digests.digest import content_for, digest_message
from paperwire.digests.models import Subscription
from paperwire.digests.sending import send_period
from paperwire.feeds.models import SavedSearch
from paperwire.papers.models import Paper
from paperwire.papers.periods import parse_day, parse_week

from .community_data import make_member
from .digests_fixtures import (  # noqa: F401  (smtp fixtures)
    DAY,
    WEEK,
    Inbox,
    import_days,
    parsed,
    smtp_fixture,
    smtp_settings_fixture,
    subscribers,
)
from .markup import assert_inert

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)
EARLIER_DAY = "2026-06-30"  # the listing day before DAY, in the same ISO week
FORMATS = ("rss", "atom")
HOSTILE = [
    '"',
    '"unbalanced phrase',
    "NEAR(diffusion model",
    "((a OR b",
    "'; DROP TABLE papers; --",
    "x" * 10_000,
    "\x00\x01\x02 diffusion \x1b[31m",
    "\u202e\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "]]></title><script>alert(1)</script>",
    "cat:cs.CV*",
    "date:2025-13-45",
]


@pytest.fixture
def papers(db: None) -> None:
    """Import two listing days of demo papers (keyword index only: no vectors, no model)."""
    from paperwire.search.store import update_indexes

    import_days(DAY, EARLIER_DAY, limit=40)
    update_indexes()


@pytest.fixture
def member(db: None) -> Any:
    return make_member("ada", password=False)


@pytest.fixture
def signed_in(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def save(client: Client, q: str, *, name: str = "", sort: str = "relevance", mode: str = "keyword") -> Any:
    return client.post("/settings/searches/save", {"q": q, "name": name, "sort": sort, "mode": mode})


def listed_in(period: str, category: str) -> set[str]:
    """Return the arXiv ids listed on a day that carry a category (primary or cross-listed)."""
    return {p.arxiv_id for p in Paper.objects.filter(listing_day=period) if category in p.categories}


def entry_ids(feed: Any) -> list[str]:
    ids = [e.id for e in feed.entries]
    assert all(i.startswith("https://arxiv.org/abs/") for i in ids), ids
    return [i.removeprefix("https://arxiv.org/abs/") for i in ids]


def page_ids(client: Client, params: dict[str, str]) -> list[str]:
    """Return the arXiv ids on the first page of /search, via its JSON twin."""
    return [r["id"] for r in client.get("/search", {**params, "format": "json"}).json()["results"]]


def shown_papers(text: str) -> set[str]:
    """Return the arXiv ids of the paper links in a digest's plain text."""
    return set(re.findall(r"/papers/(\S+)\s", text))


def parts(message: Any) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


# --- saving, listing, renaming, deleting ------------------------------------------------------


def test_a_member_saves_a_search_from_the_search_page_and_sees_it_in_their_settings(
    papers: None, signed_in: Client, member: Any
) -> None:
    page = signed_in.get("/search", {"q": "cat:cs.CV learning", "sort": "newest"}).content.decode()
    assert 'action="/settings/searches/save"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'href="/settings/digest"' in page  # the account nav links the settings page
    response = save(signed_in, "cat:cs.CV learning", name="Vision", sort="newest")
    assert response.status_code == 302 and response["Location"].startswith("/settings/digest#saved-")
    saved = SavedSearch.objects.get(user=member)
    assert (saved.name, saved.query, saved.sort, saved.mode, saved.in_digest) == (
        "Vision",
        "cat:cs.CV learning",
        "newest",
        "keyword",
        True,
    )
    settings_page = signed_in.get("/settings/digest").content.decode()
    assert "Vision" in settings_page and f"/feeds/saved/{saved.feed_token}.rss" in settings_page
    # With no name given, the query names it.
    save(signed_in, "diffusion")
    assert SavedSearch.objects.filter(user=member, name="diffusion").exists()


def test_a_visitor_is_asked_to_log_in_and_cannot_save(papers: None, client: Client) -> None:
    page = client.get("/search", {"q": "learning"}).content.decode()
    assert "Log in</a> to save this search" in page and "/settings/searches/save" not in page
    response = save(client, "learning")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/settings/digest").status_code == 302
    assert not SavedSearch.objects.exists()


def test_a_member_renames_toggles_and_deletes_a_saved_search(signed_in: Client, member: Any) -> None:
    save(signed_in, "graph neural networks", name="GNN")
    saved = SavedSearch.objects.get(user=member)
    assert (
        signed_in.post(f"/settings/searches/{saved.pk}/rename", {"name": "  Graphs\r\nnow "}).status_code
        == 302
    )
    saved.refresh_from_db()
    assert saved.name == "Graphs now"  # one line: control characters and line breaks folded
    signed_in.post(f"/settings/searches/{saved.pk}/digest", {"on": "0"})
    saved.refresh_from_db()
    assert not saved.in_digest
    assert "Not in my digest: turn on" in signed_in.get("/settings/digest").content.decode()
    signed_in.post(f"/settings/searches/{saved.pk}/digest", {"on": "1"})
    saved.refresh_from_db()
    assert saved.in_digest
    assert signed_in.post(f"/settings/searches/{saved.pk}/delete").status_code == 302
    assert not SavedSearch.objects.exists()
    assert "No saved searches yet" in signed_in.get("/settings/digest").content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"q": "   "}, "Search for something first"),
        ({"q": "\x01\x02"}, "Search for something first"),
        ({"q": "a\x00b"}, "NUL byte"),
        ({"q": "learning", "sort": "random"}, "Choose a sort"),
        ({"q": "learning", "mode": "psychic"}, "Choose a mode"),
    ],
)
def test_a_bad_search_to_save_gets_a_clear_error_and_saves_nothing(
    signed_in: Client, fields: dict[str, str], message: str
) -> None:
    response = signed_in.post("/settings/searches/save", fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_an_empty_name_is_refused_on_rename(signed_in: Client, member: Any) -> None:
    save(signed_in, "learning", name="Mine")
    saved = SavedSearch.objects.get()
    response = signed_in.post(f"/settings/searches/{saved.pk}/rename", {"name": " \t "})
    assert response.status_code == 400 and "Enter a name" in response.content.decode()
    saved.refresh_from_db()
    assert saved.name == "Mine"


def test_members_cannot_see_or_touch_each_others_saved_searches(papers: None, signed_in: Client) -> None:
    bob = make_member("bob", password=False)
    theirs = SavedSearch.objects.create(user=bob, name="Bob's secret", query="cat:cs.CL", mode="keyword")
    token = theirs.feed_token
    page = signed_in.get("/settings/digest").content.decode()
    assert "Bob's secret" not in page and "Bob&#x27;s secret" not in page and token not in page
    for action, data in (
        ("rename", {"name": "mine now"}),
        ("digest", {"on": "0"}),
        ("token", {}),
        ("delete", {}),
    ):
        assert signed_in.post(f"/settings/searches/{theirs.pk}/{action}", data).status_code == 404, action
    for pk in (theirs.pk + 1000, 2**63, 10**30):
        assert signed_in.post(f"/settings/searches/{pk}/delete").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.in_digest, theirs.feed_token) == ("Bob's secret", True, token)
    # Their feed is theirs to share: only its token opens it, being signed in opens nothing else.
    assert signed_in.get(f"/feeds/saved/{token}.rss").status_code == 200
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "a" * 64, token.lower()):
        if forged != token:
            assert signed_in.get(f"/feeds/saved/{forged}.rss").status_code == 404
    assert signed_in.get(f"/feeds/saved/{token}%00.rss").status_code == 400  # NUL: refused first
    assert signed_in.get(f"/feeds/saved/{'a' * 65}.atom").status_code == 404


def test_csrf_is_enforced_on_every_state_change(member: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    saved = SavedSearch.objects.create(user=member, name="Mine", query="learning")
    posts = [
        ("/settings/searches/save", {"q": "learning"}),
        (f"/settings/searches/{saved.pk}/rename", {"name": "x"}),
        (f"/settings/searches/{saved.pk}/digest", {"on": "0"}),
        (f"/settings/searches/{saved.pk}/token", {}),
        (f"/settings/searches/{saved.pk}/delete", {}),
        ("/settings/digest/subscription", {"frequency": "daily"}),
        ("/settings/digest/subscription", {"action": "unsubscribe"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    snapshot = SavedSearch.objects.get()
    assert (snapshot.name, snapshot.in_digest, snapshot.feed_token) == ("Mine", True, saved.feed_token)
    assert SavedSearch.objects.count() == 1 and not Subscription.objects.exists()
    # GET never changes anything either.
    for url, _ in posts:
        assert client.get(url).status_code == 405, url


# --- feeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"q": "learning"},
        {"q": "learning cat:cs.CV", "sort": "newest"},
        {"q": "cat:cs.CL", "sort": "trending", "mode": "keyword"},
    ],
)
def test_search_feeds_parse_and_list_the_search_pages_results(
    papers: None, client: Client, fmt: str, params: dict[str, str], settings: Any
) -> None:
    expected = page_ids(client, params)
    assert expected
    feed = parsed(client, f"/feeds/search.{fmt}?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert entry_ids(feed) == expected
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert entry_ids(parsed(client, f"/feeds/search.{fmt}?q={params['q']}&sort={params.get('sort', '')}"))
    first = feed.entries[0]
    assert first.link == f"{settings.BASE_URL}/papers/{expected[0]}"
    assert feed.feed.link.startswith(f"{settings.BASE_URL}/search?q=")
    # The search page links its own feeds.
    page = client.get("/search", params).content.decode()
    assert f'<link rel="alternate" type="application/{fmt}+xml"' in page
    assert f'href="/feeds/search.{fmt}?q=' in page


def test_an_empty_search_feed_is_a_valid_feed_without_items(client: Client, db: None) -> None:
    for fmt in FORMATS:
        assert parsed(client, f"/feeds/search.{fmt}").entries == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_saved_search_feed_lists_its_search_and_a_new_token_makes_the_old_url_404(
    papers: None, signed_in: Client, member: Any, fmt: str
) -> None:
    save(signed_in, "cat:cs.CV", sort="newest")
    saved = SavedSearch.objects.get()
    old = f"/feeds/saved/{saved.feed_token}.{fmt}"
    anonymous = Client()  # a feed reader: no session, only the URL
    response = anonymous.get(old)
    assert response["X-Robots-Tag"] == "noindex" and response["Cache-Control"] == "private"
    feed = parsed(anonymous, old)
    assert entry_ids(feed) == page_ids(anonymous, {"q": "cat:cs.CV", "sort": "newest", "mode": "keyword"})
    assert entry_ids(feed) and entry_ids(parsed(anonymous, old)) == entry_ids(feed)  # stable ids
    signed_in.post(f"/settings/searches/{saved.pk}/token")
    saved.refresh_from_db()
    assert anonymous.get(old).status_code == 404
    assert entry_ids(parsed(anonymous, f"/feeds/saved/{saved.feed_token}.{fmt}")) == entry_ids(feed)
    signed_in.post(f"/settings/searches/{saved.pk}/delete")
    assert anonymous.get(f"/feeds/saved/{saved.feed_token}.{fmt}").status_code == 404


def test_hostile_queries_in_search_feeds_and_saved_searches_never_error_and_render_inert(
    papers: None, signed_in: Client, member: Any
) -> None:
    for text in HOSTILE:
        if "\x00" in text:  # refused with 400 before any query, by every page and feed
            assert signed_in.get("/feeds/search.rss", {"q": text}).status_code == 400
            assert signed_in.get("/search", {"q": text}).status_code == 400
            assert save(signed_in, text, name=text).status_code == 400
            continue
        for fmt in FORMATS:
            feed = parsed(signed_in, f"/feeds/search.{fmt}?" + f"q={text}".replace("#", "%23"))
            assert isinstance(feed.entries, list)
            parsed(signed_in, "/feeds/search.rss?" + "&".join(["q=" + "%22" * 30, "sort=" + text[:50]]))
        page = signed_in.get("/search", {"q": text})
        assert page.status_code == 200
        assert_inert(page.content.decode())
        assert save(signed_in, text, name=text).status_code in (302, 400), repr(text[:40])
    saved = list(SavedSearch.objects.filter(user=member))
    assert len(saved) >= len(HOSTILE) - 2  # what is left after cleaning control characters is saved
    assert all(len(s.query) <= 1000 and len(s.name) <= 100 for s in saved)
    assert all("\x00" not in s.query + s.name for s in saved)
    settings_page = signed_in.get("/settings/digest")
    assert settings_page.status_code == 200
    assert_inert(settings_page.content.decode())
    for s in saved:
        for fmt in FORMATS:
            parsed(signed_in, f"/feeds/saved/{s.feed_token}.{fmt}")
    content = content_for(parse_day(DAY))
    sub = Subscription.objects.create(email=member.email, user=member, status="active")
    text_part, html_part = parts(_as_email(digest_message(sub, content)))
    assert "<script>alert(1)</script>" not in html_part and "Your saved search" in text_part
    assert_inert("<body>" + html_part.split("<body", 1)[1])


def _as_email(message: Any) -> Any:
    import email
    import email.policy

    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


# --- members' subscriptions --------------------------------------------------------------------


def test_a_verified_member_subscribes_from_settings_at_once_and_unsubscribes(
    signed_in: Client, member: Any
) -> None:
    assert "gets no digest" in signed_in.get("/settings/digest").content.decode()
    response = signed_in.post("/settings/digest/subscription", {"frequency": "weekly"})
    assert response.status_code == 302
    sub = Subscription.objects.get()
    assert (sub.email, sub.user_id, sub.status, sub.frequency) == (
        member.email,
        member.pk,
        "active",
        "weekly",
    )
    assert sub.confirmed_at is not None and mail.outbox == []  # no confirmation round trip
    assert "gets the weekly digest" in signed_in.get("/settings/digest").content.decode()
    signed_in.post("/settings/digest/subscription", {"frequency": "daily"})
    sub.refresh_from_db()
    assert (sub.status, sub.frequency) == ("active", "daily")
    signed_in.post("/settings/digest/subscription", {"action": "unsubscribe"})
    sub.refresh_from_db()
    assert sub.status == "unsubscribed" and sub.unsubscribed_at is not None
    assert "gets no digest" in signed_in.get("/settings/digest").content.decode()
    bad = signed_in.post("/settings/digest/subscription", {"frequency": "hourly"})
    assert bad.status_code == 400
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"


def test_an_earlier_anonymous_subscription_of_the_address_becomes_the_members(
    signed_in: Client, member: Any
) -> None:
    pending = Subscription.objects.create(email=member.email, status="pending")
    signed_in.post("/settings/digest/subscription", {"frequency": "daily"})
    pending.refresh_from_db()
    assert (pending.user_id, pending.status) == (member.pk, "active")
    assert Subscription.objects.count() == 1


def test_a_member_whose_address_subscribed_from_the_public_box_gets_their_sections(
    signed_in: Client, member: Any
) -> None:
    [sub] = subscribers(1, prefix="ada")  # ada0@example.org
    sub.email = member.email
    sub.save()
    page = signed_in.get("/settings/digest").content.decode()
    assert "gets the daily (weekdays) digest" in page
    sub.refresh_from_db()
    assert sub.user_id == member.pk


def test_a_member_without_a_verified_address_cannot_subscribe_from_settings(db: None) -> None:
    unverified = make_member("eve", verified=False, password=False)
    client = Client()
    client.force_login(unverified)
    assert "Confirm your e-mail address first" in client.get("/settings/digest").content.decode()
    response = client.post("/settings/digest/subscription", {"frequency": "daily"})
    assert response.status_code == 403 and not Subscription.objects.exists()


# --- digest sections ---------------------------------------------------------------------------


def test_the_digest_has_a_section_per_saved_search_with_its_new_matches_only(
    papers: None, smtp_settings: Inbox, signed_in: Client, member: Any, settings: Any
) -> None:
    settings.DIGEST_PAPERS = 40  # every match shown, so the whole section can be checked
    signed_in.post("/settings/digest/subscription", {"frequency": "daily"})
    save(signed_in, "cat:cs.CV", name="Vision <b>papers</b>")
    save(signed_in, "cat:cs.CL", name="Language (turned off)")
    save(signed_in, "cat:cs.CV before:2026-06-30", name="Only old ones")
    SavedSearch.objects.filter(name__startswith="Language").update(in_digest=False)
    bob = make_member("bob", password=False)
    SavedSearch.objects.create(user=bob, name="Bob's search", query="cat:cs.LG")
    [reader] = subscribers(1)  # an anonymous subscriber: no saved-search section
    report = send_period(parse_day(DAY), now=NOW)
    assert report.sent == 2
    [message] = smtp_settings.to(member.email)
    text, html = parts(message)
    assert "Your saved search: Vision <b>papers</b>" in text
    assert "Vision &lt;b&gt;papers&lt;/b&gt;" in html and "<b>papers</b>" not in html
    assert "Language (turned off)" not in text and "Bob's search" not in text
    assert "Your saved search: Only old ones" in text and "No new match on" in text
    section = text.split("Your saved search: Vision", 1)[1].split("Your saved search:", 1)[0]
    expected = listed_in(DAY, "cs.CV")
    assert expected and listed_in(EARLIER_DAY, "cs.CV")  # older matches exist, and stay out
    assert shown_papers(section) == expected
    assert f"{len(expected)} new match" in section
    assert "/search?q=cat%3Acs.CV" in section
    [other] = smtp_settings.to(reader.email)
    assert "Your saved search" not in parts(other)[0] and "Your saved search" not in parts(other)[1]


def test_a_weekly_digest_section_has_the_matches_of_the_whole_week(
    papers: None, signed_in: Client, member: Any, settings: Any
) -> None:
    settings.DIGEST_PAPERS = 80
    signed_in.post("/settings/digest/subscription", {"frequency": "weekly"})
    save(signed_in, "cat:cs.CV", name="Vision")
    sub = Subscription.objects.get()
    text, _ = parts(_as_email(digest_message(sub, content_for(parse_week(WEEK)))))
    section = text.split("Your saved search: Vision", 1)[1]
    assert shown_papers(section) == listed_in(DAY, "cs.CV") | listed_in(EARLIER_DAY, "cs.CV")
