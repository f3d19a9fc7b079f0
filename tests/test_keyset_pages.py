"""Deep pages of the newest order follow a keyset cursor (listing day, id), not an offset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.community_data import make_paper

pytestmark = pytest.mark.django_db

MONTH = "/papers/month/2026-05"


def make_month(n: int) -> None:
    """List n papers over May 2026, several a day, so pages cross day boundaries."""
    for i in range(n):
        make_paper(f"2605.{i:05d}", listing_day=dt.date(2026, 5, 1 + i % 28))


def walk(client: Client, before_each: Any = None) -> list[str]:
    """Return the ids of every page, following each page's next_after cursor."""
    seen: list[str] = []
    query = {"format": "json", "sort": "newest"}
    page = 1
    while True:
        body = client.get(MONTH, query).json()
        seen += [p["id"] for p in body["papers"]]
        if not body["next_after"]:
            return seen
        if before_each:
            before_each(page)
        page += 1
        query = {"format": "json", "sort": "newest", "page": str(page), "after": body["next_after"]}


def test_following_the_cursor_lists_every_paper_once_in_the_newest_order(settings: Any) -> None:
    settings.PAGE_SIZE = 7
    make_month(50)
    client = Client()
    by_cursor = walk(client)
    by_offset = []
    for page in range(1, 9):
        by_offset += [
            p["id"]
            for p in client.get(MONTH, {"format": "json", "sort": "newest", "page": page}).json()["papers"]
        ]
    assert len(by_cursor) == 50 == len(set(by_cursor))
    assert by_cursor == by_offset
    days = [client.get(f"/papers/{i}", {"format": "json"}).json()["listing_day"] for i in by_cursor[:8]]
    assert days == sorted(days, reverse=True)


def test_a_paper_listed_while_reading_does_not_repeat_one_on_the_next_page(settings: Any) -> None:
    settings.PAGE_SIZE = 5
    make_month(20)
    added = iter(range(90000, 90010))

    def list_a_new_paper(page: int) -> None:
        make_paper(f"2605.{next(added)}", listing_day=dt.date(2026, 5, 28))

    seen = walk(Client(), before_each=list_a_new_paper)
    assert len(seen) == len(set(seen))  # an offset would have shown the last paper of a page again
    assert {f"2605.{i:05d}" for i in range(20)} <= set(seen)


def test_the_html_page_links_the_next_page_by_its_cursor(settings: Any) -> None:
    settings.PAGE_SIZE = 5
    make_month(12)
    page = Client().get(MONTH, {"sort": "newest"}).content.decode()
    assert 'rel="next"' in page
    assert "&amp;after=2026-05-" in page
    trending = Client().get(MONTH).content.decode()
    assert "after=" not in trending  # trending scores move with the clock: it pages by number


@pytest.mark.parametrize("cursor", ["yesterday_2605.00001", "2026-05-01", "2026-13-01_2605.00001", "_"])
def test_a_malformed_cursor_is_a_400_that_says_what_is_expected(cursor: str) -> None:
    make_month(3)
    answer = Client().get(MONTH, {"format": "json", "sort": "newest", "after": cursor})
    assert answer.status_code == 400, cursor
    assert "YYYY-MM-DD_<arxiv id>" in answer.json()["error"]
