"""RSS and Atom feeds: parsed by feedparser, stable item ids, the same papers as the pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from paperwire.papers.models import Paper

from .digests_fixtures import DAY, WEEK, import_days, parsed

pytestmark = pytest.mark.django_db

FORMATS = ("rss", "atom")


@pytest.fixture
def papers(db: None) -> int:
    """Import three listing days of demo papers (two in week 27, one in week 26) with some upvotes."""
    n = import_days(DAY, "2026-06-30", "2026-06-26", limit=40)
    for votes, paper in enumerate(Paper.objects.order_by("arxiv_id")[:8], start=1):
        paper.upvotes = votes * 3
        paper.save()
    return n


def page_ids(client: Client, url: str) -> list[str]:
    """Return the arXiv ids on the first page of a feed page, via its JSON twin."""
    return [p["id"] for p in client.get(url + ("&" if "?" in url else "?") + "format=json").json()["papers"]]


def entry_ids(feed: Any) -> list[str]:
    """Return the arXiv ids behind a feed's items (their ids are arXiv abs URLs)."""
    ids = [e.id for e in feed.entries]
    assert all(i.startswith("https://arxiv.org/abs/") for i in ids), ids
    return [i.removeprefix("https://arxiv.org/abs/") for i in ids]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "feed_url, page_url",
    [
        ("/feeds/daily.{fmt}", f"/papers/date/{DAY}"),
        ("/feeds/weekly.{fmt}", f"/papers/week/{WEEK}"),
        ("/feeds/category/cs.CV.{fmt}", f"/papers/date/{DAY}?category=cs.CV"),
    ],
)
def test_each_feed_parses_and_lists_the_papers_of_its_page(
    client: Client, papers: int, fmt: str, feed_url: str, page_url: str, settings: Any
) -> None:
    feed = parsed(client, feed_url.format(fmt=fmt))
    expected = page_ids(client, page_url)
    assert expected and entry_ids(feed) == expected
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    first = feed.entries[0]
    paper = Paper.objects.get(arxiv_id=expected[0])
    assert first.link == f"{settings.BASE_URL}/papers/{paper.arxiv_id}"
    assert first.title == " ".join(paper.title.split())
    assert paper.authors[0] in first.author
    assert " ".join(paper.abstract.split())[:80] in first.summary


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_trending_feed_ranks_the_last_seven_listing_days_like_the_api(
    client: Client, papers: int, fmt: str
) -> None:
    feed = parsed(client, f"/feeds/trending.{fmt}")
    api = [i["paper"]["id"] for i in client.get("/api/daily_papers?sort=trending&limit=30").json()]
    assert entry_ids(feed) == api
    votes = [Paper.objects.get(arxiv_id=i).upvotes for i in entry_ids(feed)[:8]]
    assert votes == sorted(votes, reverse=True) and votes[0] == 24


def test_item_ids_stay_the_same_when_the_instance_moves(client: Client, papers: int, settings: Any) -> None:
    before = parsed(client, "/feeds/daily.atom")
    settings.BASE_URL = "https://papers.example.org"
    after = parsed(client, "/feeds/daily.atom")
    assert [e.id for e in before.entries] == [e.id for e in after.entries]
    assert all(e.link.startswith("https://papers.example.org/papers/") for e in after.entries)
    assert after.feed.links[0].href.startswith("https://papers.example.org/")


def test_feed_pages_link_their_feeds(client: Client, papers: int) -> None:
    def alternates(url: str) -> dict[str, str]:
        html = client.get(url).content.decode()
        return {
            m[1]: m[0]
            for m in re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)">', html)
        }

    day = alternates(f"/papers/date/{DAY}")
    assert {"/feeds/daily.rss", "/feeds/daily.atom", "/feeds/trending.rss", "/feeds/trending.atom"} == set(
        day
    )
    assert (
        day["/feeds/daily.rss"] == "application/rss+xml"
        and day["/feeds/daily.atom"] == "application/atom+xml"
    )
    week = alternates(f"/papers/week/{WEEK}?category=cs.CV")
    assert {"/feeds/weekly.rss", "/feeds/category/cs.CV.atom"} <= set(week)
    for href in {**day, **week}:
        parsed(client, href)


@pytest.mark.parametrize(
    "url", ["/feeds/category/cs.XX.rss", "/feeds/category/<script>.atom", "/feeds/category/a%0d%0ab.rss"]
)
def test_an_unknown_or_hostile_category_feed_is_not_found(client: Client, papers: int, url: str) -> None:
    assert client.get(url).status_code == 404


def test_the_feeds_of_an_empty_instance_are_valid_and_empty(client: Client, db: None) -> None:
    for url in ("/feeds/daily.rss", "/feeds/weekly.atom", "/feeds/trending.rss"):
        assert parsed(client, url).entries == []


def test_feed_items_show_text_mode_tex_as_characters_and_keep_math_as_source(
    client: Client, papers: int
) -> None:
    paper = Paper.objects.get(arxiv_id=entry_ids(parsed(client, "/feeds/daily.rss"))[0])
    paper.title = r"Schr\"odinger bridges at 96\% with $\alpha_1$"
    paper.abstract = r"We study ``bridges'' in G\"odel's sense, pages 1--10, and $x\%$ of cases."
    paper.save()
    feed = parsed(client, "/feeds/daily.rss")
    item = next(e for e in feed.entries if e.id.endswith(paper.arxiv_id))
    assert item.title == r"Schrödinger bridges at 96% with $\alpha_1$"
    assert item.summary == r"We study “bridges” in Gödel's sense, pages 1–10, and $x\%$ of cases."
