"""HTTP details: JSON errors everywhere under /api/, HEAD wherever GET works, encoded `next`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.community_data import make_paper

pytestmark = pytest.mark.django_db

HEAD_URLS = [
    "/api/daily_papers",
    "/api/papers/2606.00001",
    "/api/v1/search?q=attention",
    "/about",  # a @require_GET page
    "/members/ada",
    "/",
    "/feeds/daily.rss",
]


@pytest.fixture
def paper(db: None) -> None:
    from tests.community_data import make_member

    make_paper("2606.00001")
    make_member("ada", password=False)


@pytest.mark.parametrize("url", HEAD_URLS)
def test_head_is_answered_wherever_get_is_with_the_same_headers_and_no_body(
    client: Client, paper: None, url: str
) -> None:
    # Tried (the probe): HEAD on /api/* and on @require_GET pages answered 405.
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code == 200, url
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_an_unexpected_error_under_the_api_is_json(paper: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tried: a query that fails inside /api/daily_papers; the 500 used to be the HTML error page.
    from paperwire.papers import queries

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(queries, "feed", broken)
    response = Client(raise_request_exception=False).get("/api/daily_papers")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "Internal Server Error"}


def test_a_wrong_method_under_the_api_is_json(client: Client, paper: None) -> None:
    response = client.post("/api/daily_papers")  # tried: POST where only GET is served
    assert response.status_code == 405
    assert "error" in response.json()


def test_the_htmx_log_in_redirect_keeps_the_whole_next_address(client: Client, paper: None) -> None:
    # Tried (the probe): an anonymous htmx comment; "#comments" in a raw next= was cut off.
    response = client.post("/papers/2606.00001/comments", {"body": "hi"}, HTTP_HX_REQUEST="true")
    target = urlsplit(response["HX-Redirect"])
    assert target.path == "/accounts/login/"
    assert parse_qs(target.query)["next"] == ["/papers/2606.00001#comments"]
