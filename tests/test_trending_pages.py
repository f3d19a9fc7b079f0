"""Trending pages list the voted papers by score, then the rest newest first, page after page,
exactly as scoring every paper of the period would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from paperwire.papers import queries, trending
from paperwire.papers.models import Paper
from paperwire.papers.periods import parse_period

from .community_data import make_paper

pytestmark = pytest.mark.django_db


def make_month() -> None:
    """List 40 papers over May 2026, every third with votes (local, HF or both), some days alike."""
    for i in range(40):
        votes = {"upvotes": i % 5, "hf_upvotes": i % 7 if i % 2 else 0} if i % 3 == 0 else {}
        make_paper(f"2605.{i:05d}", listing_day=dt.date(2026, 5, 1 + i % 9), **votes)


def test_every_page_of_trending_matches_the_full_score_order(settings: Any) -> None:
    make_month()
    month = parse_period("month", "2026-05")
    scored = list(
        trending.ordered(
            queries.visible().filter(listing_day__range=(month.start, month.end)), "trending"
        ).values_list("arxiv_id", flat=True)
    )
    voted = Paper.objects.filter(queries.VOTED).count()
    assert 0 < voted < 40  # the pages below cross from voted papers into the rest
    for size in (3, 7, voted, 40):
        settings.PAGE_SIZE = size
        pages = []
        for page in range(1, 40 // size + 2):
            answer = Client().get("/papers/month/2026-05", {"format": "json", "page": page})
            if answer.status_code == 404:
                break
            pages += [p["id"] for p in answer.json()["papers"]]
        assert pages == scored, size


def test_the_api_pages_trending_the_same_way() -> None:
    make_month()
    items = []
    for p in range(5):
        got = Client().get("/api/daily_papers", {"month": "2026-05", "sort": "trending", "limit": 9, "p": p})
        items += [item["paper"]["id"] for item in got.json()]
    month = parse_period("month", "2026-05")
    qs = queries.visible().filter(listing_day__range=(month.start, month.end))
    assert items == list(trending.ordered(qs, "trending").values_list("arxiv_id", flat=True))


def test_a_hidden_voted_paper_leaves_trending_and_its_place_is_taken() -> None:
    make_month()
    top = queries.feed(parse_period("month", "2026-05"), limit=1).papers[0]
    assert top.upvotes + top.hf_upvotes > 0
    Paper.objects.filter(pk=top.pk).update(hidden=True)
    page = queries.feed(parse_period("month", "2026-05"), limit=40)
    assert top.arxiv_id not in [p.arxiv_id for p in page.papers]
    assert page.total == len(page.papers) == 39
