"""The Hugging Face dialect: the real huggingface_hub client against a live paperwire server."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from paperwire.papers.models import Paper

from .conftest import demo_rows

HF_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def hub(live_server: Any, demo_papers: int, monkeypatch: pytest.MonkeyPatch) -> HfApi:
    """Return the real HF client pointed at the live test server, with no token."""
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    return HfApi(endpoint=live_server.url, token=False)


@pytest.fixture(scope="module")
def days() -> Counter[str]:
    return Counter(r["announced"] for r in demo_rows())


@pytest.mark.django_db(transaction=True)
def test_list_daily_papers_returns_the_days_papers(hub: HfApi, days: Counter[str]) -> None:
    day = max(days)
    expected = {r["id"]: r for r in demo_rows() if r["announced"] == day}
    papers = list(hub.list_daily_papers(date=day, limit=100))
    assert len(papers) == min(100, len(expected))
    assert {p.id for p in papers} <= set(expected)
    first = papers[0]
    source = expected[first.id]
    assert first.title == source["title"]
    assert first.summary == source["abstract"]
    assert [a.name for a in first.authors] == source["authors"]
    assert first.submitted_at == dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    assert first.submitted_by.username == "arxiv"
    assert first.comments == 0


@pytest.mark.django_db(transaction=True)
def test_list_daily_papers_pages_weeks_months_and_sorts(hub: HfApi, days: Counter[str]) -> None:
    day = max(days)
    assert len(list(hub.list_daily_papers(date=day, limit=10))) == 10
    assert list(hub.list_daily_papers(date=day, p=100)) == []
    page0 = [p.id for p in hub.list_daily_papers(date=day, limit=20, p=0)]
    page1 = [p.id for p in hub.list_daily_papers(date=day, limit=20, p=1)]
    assert not set(page0) & set(page1)
    week = dt.date.fromisoformat(day).isocalendar()
    for paper in hub.list_daily_papers(week=f"{week.year}-W{week.week:02d}", limit=100):
        assert paper.submitted_at.isocalendar()[:2] == (week.year, week.week)
    for paper in hub.list_daily_papers(month=day[:7], limit=100):
        assert paper.submitted_at.strftime("%Y-%m") == day[:7]
    top = [p.id for p in hub.list_daily_papers(date=day, limit=5)]
    Paper.objects.filter(arxiv_id=top[-1]).update(upvotes=9)
    trending = list(hub.list_daily_papers(date=day, sort="trending", limit=5))
    assert trending[0].id == top[-1] and trending[0].upvotes == 9


@pytest.mark.django_db(transaction=True)
def test_a_bad_date_is_a_400(hub: HfApi) -> None:
    with pytest.raises(HfHubHTTPError) as err:
        list(hub.list_daily_papers(date="2025-13-40"))
    assert err.value.response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_paper_info_returns_the_flat_paper(hub: HfApi, days: Counter[str]) -> None:
    row = demo_rows(1)[0]
    Paper.objects.filter(arxiv_id=row["id"]).update(
        hf_upvotes=4, github_repo="https://github.com/example/code", github_stars=12, ai_summary="One line."
    )
    info = hub.paper_info(row["id"])
    assert info.id == row["id"] and info.title == row["title"] and info.summary == row["abstract"]
    assert [a.name for a in info.authors] == row["authors"]
    assert info.upvotes == 4
    assert info.github_repo == "https://github.com/example/code" and info.github_stars == 12
    assert info.ai_summary == "One line."
    assert info.submitted_at == dt.datetime.fromisoformat(row["announced"]).replace(tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_paper_info_of_an_unknown_paper_is_a_404(hub: HfApi) -> None:
    for unknown in ("1234.56789", "2607.99999"):
        with pytest.raises(HfHubHTTPError) as err:
            hub.paper_info(unknown)
        assert err.value.response.status_code == 404


@pytest.mark.django_db
def test_items_have_the_documented_shape_and_time_format(client: Client, demo_papers: int, days) -> None:
    items = client.get(f"/api/daily_papers?date={max(days)}&limit=3").json()
    assert len(items) == 3
    for item in items:
        assert {
            "paper",
            "title",
            "summary",
            "publishedAt",
            "thumbnail",
            "numComments",
            "isAuthorParticipating",
            "submittedBy",
        } <= set(item)
        paper = item["paper"]
        assert {"id", "title", "summary", "publishedAt", "upvotes", "discussionId", "authors"} <= set(paper)
        assert all({"_id", "name", "hidden"} <= set(a) for a in paper["authors"])
        assert HF_TIME.match(item["publishedAt"]) and HF_TIME.match(paper["publishedAt"])
        assert {"_id", "avatarUrl", "fullname", "isPro", "name", "type"} <= set(item["submittedBy"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "date=2026-07-01&week=2026-W27",
        "sort=hot",
        "limit=0",
        "limit=101",
        "p=-1",
        "limit=abc",
        "month=2026-7",
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client: Client, query: str) -> None:
    response = client.get(f"/api/daily_papers?{query}")
    body = response.json()
    assert (response.status_code, list(body)) == (400, ["error"]), body  # one shape for every bad input
    name = query.split("=", 1)[0]
    assert isinstance(body["error"], str) and name in body["error"], body  # it names what was wrong


@pytest.mark.django_db
def test_submitter_filters_by_who_put_the_paper_on_the_list(client: Client, demo_papers: int, days) -> None:
    day = max(days)
    first = client.get(f"/api/daily_papers?date={day}&limit=1").json()[0]["paper"]["id"]
    Paper.objects.filter(arxiv_id=first).update(submitted_by="akhaliq")
    mine = client.get(f"/api/daily_papers?date={day}&submitter=akhaliq").json()
    assert [i["paper"]["id"] for i in mine] == [first]
    assert mine[0]["submittedBy"]["name"] == "akhaliq"
    assert first not in [
        i["paper"]["id"] for i in client.get(f"/api/daily_papers?date={day}&submitter=arxiv&limit=100").json()
    ]
