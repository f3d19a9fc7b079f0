"""`paperwire ingest hf`: the Hugging Face daily papers list, served from a local server."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management.base import CommandError

from paperwire.ingest import hf
from paperwire.papers.models import Paper
from paperwire.papers.records import PaperRecord
from paperwire.papers.upsert import upsert_records
from tests.ingest_fixtures import Reply, Upstream, fixture, run_ingest

pytest_plugins = ["tests.ingest_fixtures"]  # the `upstream` fixture

DAILY = "/api/daily_papers"
ITEMS = json.loads(fixture("hf_daily_2026-06-15.json"))


def ingest(*args: str) -> str:
    return run_ingest("hf", *args)


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data).encode(), "application/json")


def test_it_creates_papers_with_upvotes_submitter_links_and_listing_day(upstream: Upstream, db: None) -> None:
    upstream.on(DAILY, lambda q: json_reply(ITEMS if q.get("p") == "0" else []))
    out = ingest("--date", "2026-06-15")
    assert "created 6" in out
    assert upstream.queries(DAILY)[0] == {"date": "2026-06-15", "p": "0", "limit": "100"}
    paper = Paper.objects.get(arxiv_id="2008.03186")
    assert paper.hf_upvotes == 42 and paper.upvotes == 0
    assert paper.submitted_by == "akhaliq" and paper.listing_day == dt.date(2026, 6, 15)
    assert paper.github_repo == "https://github.com/example/project" and paper.github_stars == 128
    assert paper.project_page == "https://example.org/project"
    assert paper.ai_summary.startswith("A one-sentence") and paper.ai_keywords == [
        "orthophoto",
        "Gaussian splatting",
    ]
    assert paper.published == dt.date(2026, 6, 12)


def test_it_keeps_local_votes_and_arxiv_facts_when_it_updates_a_known_paper(
    upstream: Upstream, db: None
) -> None:
    item = ITEMS[1]["paper"]
    upsert_records(
        [
            PaperRecord(
                arxiv_id=item["id"],
                title=item["title"],
                abstract=item["summary"],
                authors=["A. Person"],
                categories=["cs.CV", "cs.LG"],
                published=dt.date(2026, 6, 12),
                announced=dt.date(2026, 6, 15),
            )
        ]
    )
    Paper.objects.filter(arxiv_id=item["id"]).update(upvotes=5)
    upstream.on(DAILY, lambda q: json_reply(ITEMS if q.get("p") == "0" else []))
    ingest("--date", "2026-06-15")
    paper = Paper.objects.get(arxiv_id=item["id"])
    assert paper.upvotes == 5 and paper.hf_upvotes == 17
    assert paper.categories == ["cs.CV", "cs.LG"] and paper.listing_day == dt.date(2026, 6, 15)
    assert paper.submitted_by == "taesiri"


def test_upvotes_are_updated_on_the_next_run(upstream: Upstream, db: None) -> None:
    upstream.on(DAILY, lambda q: json_reply(ITEMS))
    ingest("--date", "2026-06-15")
    more = json.loads(json.dumps(ITEMS))
    more[0]["paper"]["upvotes"] = 50
    upstream.on(DAILY, lambda q: json_reply(more))
    out = ingest("--date", "2026-06-15")
    assert "updated 1, unchanged 5" in out
    assert Paper.objects.get(arxiv_id="2008.03186").hf_upvotes == 50


def test_it_pages_with_p_and_limit(upstream: Upstream, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hf, "PAGE_SIZE", 4)
    upstream.on(DAILY, lambda q: json_reply(ITEMS[int(q["p"]) * 4 : int(q["p"]) * 4 + 4]))
    ingest("--week", "2026-W25")
    assert Paper.objects.count() == 6
    assert [q["p"] for q in upstream.queries(DAILY)] == ["0", "1"]
    assert upstream.queries(DAILY)[0]["week"] == "2026-W25"


def test_malformed_items_are_reported_and_the_rest_written(upstream: Upstream, db: None) -> None:
    items = json.loads(json.dumps(ITEMS))
    items[0]["paper"]["id"] = "12345"
    del items[1]["paper"]["title"], items[1]["title"]
    items[2]["paper"]["authors"] = "nobody"
    items.append("not an object")
    items.append(items[3])
    upstream.on(DAILY, lambda q: json_reply(items))
    out = ingest("--month", "2026-06")
    assert Paper.objects.count() == 3
    assert "invalid 4" in out and "duplicates skipped 1" in out
    assert "'paper.id' '12345' is not an arXiv id" in out and "missing 'title'" in out


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            Reply(200, b'[{"paper": {"id": "2008.03186", "tit', "application/json"),
            "malformed or truncated JSON",
        ),
        (
            Reply(200, b"<!doctype html><title>Hugging Face is down</title>", "text/html"),
            "got an HTML page titled 'Hugging Face is down'",
        ),
        (
            Reply(200, b'{"papers": []}', "application/json"),
            "expected a JSON array of daily papers but got a JSON dict",
        ),
        (
            Reply(400, b'{"error": "Invalid date"}', "application/json"),
            "Hugging Face refused the request: Invalid date",
        ),
        (Reply(200, b"", "application/json"), "got an empty body"),
    ],
    ids=["truncated", "html", "wrong-shape", "http-400", "empty"],
)
def test_a_bad_response_stops_with_a_clear_message_and_writes_nothing(
    upstream: Upstream, db: None, reply: Reply, message: str
) -> None:
    upstream.on(DAILY, lambda q: reply)
    with pytest.raises(CommandError, match=message):
        ingest("--date", "2026-06-15")
    assert not Paper.objects.exists()


def test_it_needs_exactly_one_period_in_a_valid_shape(db: None) -> None:
    with pytest.raises(CommandError, match="exactly one of --date, --week or --month"):
        ingest()
    with pytest.raises(CommandError, match="not an ISO week"):
        ingest("--week", "2026-25")
