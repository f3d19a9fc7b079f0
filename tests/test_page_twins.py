"""The pages README says answer `?format=json`, each built from the same facts as the HTML, and
/api/docs, the API's documentation."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.search_fixtures import import_slice

N = 40  # demo papers, listed on 2026-06-11


@pytest.fixture
def client(db: None, tmp_path: Path) -> Client:
    import_slice(tmp_path, N)
    return Client()


def first_titles(body: Any) -> list[str]:
    """Return the titles a JSON twin lists (feed pages: papers; search: results; a paper: itself)."""
    items = body.get("papers") or body.get("results") or [body]
    return [item["title"] for item in items[:3]]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/papers/date/2026-06-11",
        "/papers/week/2026-W24",
        "/papers/month/2026-06",
        "/papers/date/2026-06-11?sort=newest&category=cs.CV",
        "FIRST_PAPER",
        "/search?q=learning&mode=keyword",
    ],
)
def test_each_page_readme_lists_has_a_json_twin_with_what_the_page_shows(client: Client, path: str) -> None:
    if path == "FIRST_PAPER":
        first = client.get("/papers/date/2026-06-11?format=json").json()["papers"][0]["id"]
        path = f"/papers/{first}"
    joiner = "&" if "?" in path else "?"
    twin = client.get(f"{path}{joiner}format=json")
    assert twin.status_code == 200 and twin["Content-Type"] == "application/json", path
    titles = first_titles(twin.json())
    assert titles, f"{path}: an empty twin shows nothing to compare"
    # The text a reader sees: tags out (the search page marks matched words), entities decoded.
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get(path).content.decode()))
    for title in titles:
        assert " ".join(title.split()) in " ".join(page.split()), (path, title)


def test_the_api_docs_describe_every_endpoint(db: None) -> None:
    client = Client()
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "paperwire API"
    assert {"/api/daily_papers", "/api/papers/search", "/api/v1/search", "/api/papers/{arxiv_id}"} <= set(
        schema["paths"]
    )
