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


def walk_back(client: Client, month: str, last_page: int, after: str) -> list[str]:
    """Return the ids of every page from the one after `after` back to the first, by before cursors."""
    seen: list[list[str]] = []
    query = {"format": "json", "sort": "newest", "page": str(last_page), "after": after}
    while True:
        body = client.get(month, query).json()
        seen.insert(0, [p["id"] for p in body["papers"]])
        if not body["previous_before"]:
            return [i for page in seen for i in page]
        query = {"format": "json", "sort": "newest", "page": str(body["page"] - 1)}
        query["before"] = body["previous_before"]


def test_papers_of_one_day_tie_on_the_day_and_are_walked_once_each_by_id(settings: Any) -> None:
    settings.PAGE_SIZE = 4
    for i in range(15):
        make_paper(f"2605.{i:05d}", listing_day=dt.date(2026, 5, 9))
    seen = walk(Client())
    assert seen == [f"2605.{i:05d}" for i in reversed(range(15))]


def test_the_previous_page_link_walks_back_by_cursor_to_the_first_page(settings: Any) -> None:
    settings.PAGE_SIZE = 6
    make_month(40)
    client = Client()
    forward = walk(client)
    # Stand on the last page (7), reached by cursor, and follow "Previous page" to the first.
    day = client.get(f"/papers/{forward[35]}", {"format": "json"}).json()["listing_day"]
    after = f"{day}_{forward[35]}"
    last = client.get(MONTH, {"format": "json", "sort": "newest", "page": 7, "after": after}).json()
    assert [p["id"] for p in last["papers"]] == forward[36:]
    assert walk_back(client, MONTH, 7, after) == forward
    html = client.get(MONTH, {"sort": "newest", "page": 7, "after": after}).content.decode()
    assert f"&amp;before={last['papers'][0]['listing_day']}_{forward[36]}" in html


def test_a_cursor_for_a_paper_that_is_not_here_starts_at_its_place() -> None:
    make_month(10)
    body = Client().get(MONTH, {"format": "json", "sort": "newest", "after": "2026-05-05_2605.00003x"}).json()
    ids = [p["id"] for p in body["papers"]]
    assert ids == ["2605.00003", "2605.00002", "2605.00001", "2605.00000"]  # days 4, 3, 2, 1


@pytest.mark.parametrize("param", ["after", "before"])
def test_a_forged_cursor_is_a_400_that_changes_nothing(param: str) -> None:
    from paperwire.papers.models import DayCount, Paper

    make_month(5)
    state = (
        list(Paper.objects.order_by("pk").values_list("pk", "modified_at")),
        list(DayCount.objects.values_list()),
    )
    answer = Client().get(MONTH, {"format": "json", "sort": "newest", param: "2026-05-01'; DROP TABLE x--"})
    assert answer.status_code == 400
    assert f"{param} must be YYYY-MM-DD_<arxiv id>" in answer.json()["error"]
    assert (
        list(Paper.objects.order_by("pk").values_list("pk", "modified_at")),
        list(DayCount.objects.values_list()),
    ) == state
