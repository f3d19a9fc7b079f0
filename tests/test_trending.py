"""One trending order: the feed pages, the search sort and both APIs rank papers alike, by votes
decayed with age (papers.trending), which is neither newest-first nor most-votes-first."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from paperwire.papers import queries, trending
from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper
from paperwire.papers.periods import Period
from paperwire.search import engine
from paperwire.search.store import update_indexes
from tests.conftest import demo_rows, write_jsonl

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
DAYS = ("2026-06-29", "2026-06-30", "2026-07-01")
# Two papers a day, oldest day first, and their upvotes. At NOW, with gravity 1.8, the scores are
# 40/62^1.8 = 0.024, 0/…, 12/38^1.8 = 0.017, 1/38^1.8 = 0.0014, 3/14^1.8 = 0.026, 0/….
VOTES = (40, 0, 12, 1, 3, 0)
# So trending is: the newest paper with 3 votes, the 2-day-old one with 40, the 12, the 1, then
# the two with none (newest first).
TRENDING = (4, 0, 2, 3, 5, 1)


@pytest.fixture
def ids(db: None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Import two demo papers of each day, vote on them, index them; return their ids in order."""
    monkeypatch.setattr(trending.timezone, "now", lambda: NOW)
    rows = []
    for day in DAYS:
        rows += sorted((r for r in demo_rows() if r["announced"] == day), key=lambda r: r["id"])[:2]
    with tempfile.TemporaryDirectory() as d:
        import_files([write_jsonl(Path(d) / "papers.jsonl", rows)])
    for row, votes in zip(rows, VOTES, strict=True):
        Paper.objects.filter(arxiv_id=row["id"]).update(upvotes=votes)
    update_indexes()
    return [r["id"] for r in rows]


def test_the_data_tells_trending_apart_from_newest_and_from_most_votes(ids: list[str]) -> None:
    expected = [ids[i] for i in TRENDING]
    newest = [p.arxiv_id for p in Paper.objects.order_by("-listing_day", "-arxiv_id")]
    most_votes = [p.arxiv_id for p in Paper.objects.order_by("-upvotes", "-listing_day", "-arxiv_id")]
    assert expected != newest and expected != most_votes


def test_feed_pages_search_and_apis_share_one_trending_order(ids: list[str]) -> None:
    expected = [ids[i] for i in TRENDING]
    period = Period("range", dt.date.fromisoformat(DAYS[0]), dt.date.fromisoformat(DAYS[-1]))
    feed = queries.feed(period, sort="trending", limit=10, with_neighbours=False)
    assert [p.arxiv_id for p in feed.papers] == expected
    found = engine.search("", sort="trending", date_from=period.start, date_to=period.end, limit=10)
    assert [h.paper.arxiv_id for h in found.hits] == expected
    client = Client()
    week = client.get("/papers/week/2026-W27?sort=trending&format=json").json()
    assert [p["id"] for p in week["papers"]] == expected  # 06-29 .. 07-01 are all in W27
    hub = client.get("/api/daily_papers?sort=trending").json()  # no date: the last 7 listing days
    assert [item["paper"]["id"] for item in hub] == expected
    native = client.get(
        "/api/v1/search", {"sort": "trending", "date_from": DAYS[0], "date_to": DAYS[-1], "mode": "keyword"}
    ).json()
    assert [r["id"] for r in native["results"]] == expected


def test_the_trending_window_is_the_last_seven_listing_days() -> None:
    latest = dt.date.fromisoformat(DAYS[-1])
    window = trending.window(latest)
    assert (window.start, window.end) == (latest - dt.timedelta(days=6), latest)
