"""Malformed numbers, dates, periods and NUL bytes: each answered 400 with a message, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

from .community_data import make_member, make_paper

# Each was a 500 before: "²".isdigit() is True but int("²") fails; a day, week or month in 9999
# overflows when the page works out its neighbours; 30 digits overflow the SQL OFFSET.
MALFORMED_PAGES = [
    ("/?page=²", "page"),
    ("/?page=0", "page"),
    ("/?page=1" + "0" * 29, "page"),
    ("/search?q=x&page=²", "page"),
    ("/papers/date/9999-12-31", "year"),
    ("/papers/week/9999-W52", "year"),
    ("/papers/month/9999-12", "year"),
]
MALFORMED_API = [
    ("/api/daily_papers?week=9999-W52", "year"),
    ("/api/daily_papers?month=9999-12", "year"),
    ("/api/daily_papers?date=9999-12-31", "year"),
    ("/api/daily_papers?p=" + "9" * 30, "p"),
    ("/api/daily_papers?limit=" + "9" * 30, "limit"),
    ("/api/daily_papers?p=²", "p"),
    ("/api/v1/search?q=x&offset=" + "9" * 30, "offset"),
]
# NUL bytes used to reach PostgreSQL, which refuses them in text (DataError, a 500).
NUL_URLS = [
    "/members/%00",
    "/?category=%00",
    "/papers/date/2026-07-01?category=a%00",
    "/api/daily_papers?submitter=%00",
    "/search?q=a%00b",
    "/api/v1/search?q=%00",
]


@pytest.fixture
def papers(db: None) -> None:
    make_paper("2606.00001")


@pytest.mark.parametrize(("url", "word"), MALFORMED_PAGES)
def test_a_malformed_page_number_or_period_is_a_400_that_says_why(
    client: Client, papers: None, url: str, word: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400, f"tried {url!r}"
    assert word in response.content.decode(), f"tried {url!r}: the message should name the {word}"


@pytest.mark.parametrize(("url", "word"), MALFORMED_API)
def test_a_malformed_api_parameter_is_a_json_400_that_says_why(
    client: Client, papers: None, url: str, word: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400, f"tried {url!r}"
    assert word in response.json()["error"], f"tried {url!r}"


def test_a_feed_page_json_twin_answers_a_bad_page_number_in_json(client: Client, papers: None) -> None:
    response = client.get("/?page=²&format=json")  # tried: superscript two as a page number
    assert response.status_code == 400
    assert "page" in response.json()["error"]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_anywhere_in_the_query_is_a_400_before_any_query(
    client: Client, papers: None, url: str, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(0):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 400, f"tried {url!r}"
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_a_posted_comment_is_a_400(client: Client, papers: None) -> None:
    member = make_member("ada", password=False)
    client.force_login(member)
    response = client.post("/papers/2606.00001/comments", {"body": "hello\x00world"})
    assert response.status_code == 400  # tried: a comment body with a NUL byte in it
    from paperwire.community.models import Comment

    assert not Comment.objects.exists()


@pytest.mark.parametrize("action", ["edit", "report"])
def test_a_superscript_comment_number_is_a_400(client: Client, papers: None, action: str) -> None:
    client.force_login(make_member("ada", password=False))
    response = client.get(f"/comments/%C2%B2/{action}")  # tried: "²", which str.isdigit() accepts
    assert response.status_code == 400
    assert "not a comment number" in response.content.decode()
