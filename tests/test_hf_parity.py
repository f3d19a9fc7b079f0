"""More of the Hugging Face dialect: Link headers, all papers by cursor, the extra fields, submitting."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from huggingface_hub import HfApi

from paperwire.papers.models import Paper

from .community_data import make_member
from .conftest import demo_rows

pytest_plugins = ["tests.community_fixtures"]
HF_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NEXT = re.compile(r'^<(http://testserver/api/[^>]+)>; rel="next"$')


@pytest.fixture
def hub(live_server: Any, demo_papers: int, monkeypatch: pytest.MonkeyPatch) -> HfApi:
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    return HfApi(endpoint=live_server.url, token=False)


def with_hub_data(arxiv_id: str) -> None:
    Paper.objects.filter(arxiv_id=arxiv_id).update(
        hf_upvotes=7,
        github_repo="https://github.com/example/code",
        github_stars=31,
        project_page="https://example.org/project",
        ai_summary="It works.",
        ai_keywords=["diffusion", "sampling"],
        submitted_at=dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC),
        submitted_by="akhaliq",
    )


@pytest.mark.django_db(transaction=True)
def test_the_client_reads_every_field_with_its_type_with_and_without_hub_data(hub: HfApi) -> None:
    plain_row, rich_row = demo_rows(2)
    with_hub_data(rich_row["id"])
    # Each alone on a day of its own, so each is on its day's first page.
    Paper.objects.filter(arxiv_id=rich_row["id"]).update(listing_day=dt.date(2020, 1, 1))
    Paper.objects.filter(arxiv_id=plain_row["id"]).update(listing_day=dt.date(2020, 1, 2))
    items = {p.id: p for day in ("2020-01-01", "2020-01-02") for p in hub.list_daily_papers(date=day)}
    flat = {row["id"]: hub.paper_info(row["id"]) for row in (plain_row, rich_row)}
    for info in (items[rich_row["id"]], flat[rich_row["id"]]):
        assert info.ai_summary == "It works." and info.ai_keywords == ["diffusion", "sampling"]
        assert info.github_repo == "https://github.com/example/code" and info.github_stars == 31
        assert info.project_page == "https://example.org/project"
        assert info.upvotes == 7
        assert isinstance(info.discussion_id, str) and len(info.discussion_id) == 24
        assert info.mediaUrls == []  # kept as a raw attribute by PaperInfo
        assert info.submitted_by.username == "akhaliq"
        assert info.submitted_at == dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC)
        assert isinstance(info.published_at, dt.datetime) and info.published_at.tzinfo is not None
        assert all(isinstance(a.name, str) for a in info.authors)
    for info in (items[plain_row["id"]], flat[plain_row["id"]]):
        assert info.ai_summary is None and info.ai_keywords is None
        assert info.github_repo is None and info.github_stars is None and info.project_page is None
        assert isinstance(info.discussion_id, str)
        assert info.submitted_by.username == "arxiv"
        assert info.mediaUrls == []


@pytest.mark.django_db
def test_nested_and_top_level_fields_sit_where_the_hub_puts_them(client: Client, demo_papers: int) -> None:
    row = demo_rows(1)[0]
    with_hub_data(row["id"])
    Paper.objects.filter(arxiv_id=row["id"]).update(listing_day=dt.date(2020, 1, 1))  # alone on its day
    [item] = client.get("/api/daily_papers?date=2020-01-01").json()
    for key in ("ai_summary", "ai_keywords", "githubRepo", "githubStars", "projectPage", "mediaUrls"):
        assert item[key] == item["paper"][key]
    assert HF_TIME.match(item["paper"]["submittedOnDailyAt"])
    assert item["paper"]["submittedOnDailyBy"]["user"] == "akhaliq"
    assert isinstance(item["paper"]["discussionId"], str)


@pytest.mark.django_db
def test_daily_papers_link_the_next_page_while_pages_are_full(client: Client, demo_papers: int) -> None:
    day = max(Counter(r["announced"] for r in demo_rows()))
    response = client.get(f"/api/daily_papers?date={day}&limit=20")
    link = NEXT.match(response["Link"])
    assert link and "p=1" in link.group(1) and f"date={day}" in link.group(1) and "limit=20" in link.group(1)
    seen, url = [i["paper"]["id"] for i in response.json()], link.group(1)
    while url:
        page = client.get(url.removeprefix("http://testserver"))
        seen += [i["paper"]["id"] for i in page.json()]
        match = NEXT.match(page.get("Link", ""))
        url = match.group(1) if match else ""
    assert len(seen) == len(set(seen)) == Counter(r["announced"] for r in demo_rows())[day]


@pytest.mark.django_db
def test_all_papers_walk_by_cursor_newest_listing_day_first(client: Client, demo_papers: int) -> None:
    seen: list[tuple[str, str]] = []
    url = "/api/papers?limit=100"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [(i["publishedAt"][:10], i["paper"]["id"]) for i in response.json()]
        match = NEXT.match(response.get("Link", ""))
        url = match.group(1).removeprefix("http://testserver") if match else ""
        pages += 1
    assert pages == -(-demo_papers // 100)
    assert len(seen) == len({pid for _, pid in seen}) == demo_papers
    days = [Paper.objects.get(arxiv_id=pid).listing_day for _, pid in seen[::97]]
    assert days == sorted(days, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["cursor=not-a-cursor!", "cursor=Zm9v", "limit=0", "limit=101", "limit=x"])
def test_a_bad_cursor_or_limit_is_a_400(client: Client, query: str) -> None:
    response = client.get(f"/api/papers?{query}")
    assert response.status_code in (400, 422), query
    assert response.json()


@pytest.mark.django_db
@pytest.mark.usefixtures("clear_cache")
def test_members_submit_papers_through_the_api_with_their_session_and_csrf_token(
    arxiv_api: Any, settings: Any
) -> None:
    settings.SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2017
    anonymous = Client()
    assert (
        anonymous.post(
            "/api/v1/papers/submit", {"id": "1707.08567"}, content_type="application/json"
        ).status_code
        == 401
    )
    member = Client(enforce_csrf_checks=True)
    member.force_login(make_member("ada"))
    # A session without the CSRF token is refused, so another site cannot submit for the member.
    assert (
        member.post(
            "/api/v1/papers/submit", {"id": "1707.08567"}, content_type="application/json"
        ).status_code
        == 403
    )
    member.get("/submit")  # sets the csrftoken cookie
    token = member.cookies["csrftoken"].value
    made = member.post(
        "/api/v1/papers/submit",
        {"id": "https://arxiv.org/abs/1707.08567v2"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert made.status_code == 201, made.content
    assert made.json()["created"] and made.json()["paper"]["id"] == "1707.08567"
    assert made.json()["paper"]["submittedOnDailyBy"]["name"] == "ada"
    again = member.post(
        "/api/v1/papers/submit",
        {"id": "1707.08567"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert again.status_code == 200 and not again.json()["created"]
    bad = member.post(
        "/api/v1/papers/submit",
        {"id": "not an id"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert bad.status_code == 400 and "arXiv id" in bad.json()["error"]
    unverified = Client()
    unverified.force_login(make_member("eve", verified=False))
    refused = unverified.post("/api/v1/papers/submit", {"id": "1707.08567"}, content_type="application/json")
    assert refused.status_code == 403 and "Confirm your e-mail" in refused.json()["error"]


@pytest.mark.django_db
@pytest.mark.usefixtures("clear_cache")
def test_a_read_write_api_token_submits_and_a_read_only_or_revoked_one_is_refused(
    arxiv_api: Any, settings: Any
) -> None:
    from paperwire.personal import tokens

    settings.SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2017
    ada = make_member("ada")
    _, reader = tokens.create(ada, "reader")
    row, writer = tokens.create(ada, "script", write=True)
    script = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie: the token is the key

    def post(raw: str) -> Any:
        return script.post(
            "/api/v1/papers/submit",
            {"id": "1707.08567"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    assert post(reader).status_code == 403  # read-only
    made = post(writer)
    assert made.status_code == 201 and made.json()["paper"]["submittedOnDailyBy"]["name"] == "ada"
    tokens.revoke(ada, row.pk)
    assert post(writer).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_client_reads_a_paper_as_markdown(hub: HfApi) -> None:
    row = demo_rows(1)[0]
    text = hub.read_paper(row["id"])
    assert text.startswith(f"# {' '.join(row['title'].split())}\n")
    assert row["abstract"].strip() in text
