"""The background pass (paperwire.jobs): ingestion, embedding, this node's indexes, digests, in order."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from paperwire import jobs
from paperwire.ingest.models import IngestRun
from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper
from paperwire.search import engine
from paperwire.search.models import PaperVector
from paperwire.search.store import update_indexes
from tests.conftest import demo_rows, write_jsonl
from tests.ingest_fixtures import Upstream, daily_arxiv, fresh_feed

from .digests_fixtures import (  # noqa: F401  (fixtures)
    DAY,
    Inbox,
    free_port,
    import_days,
    smtp_fixture,
    smtp_settings_fixture,
    subscribers,
)

NOW = dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)  # after the ingestion hour and the digest hour
API = "/api/query"


@pytest.fixture
def upstream(settings: Any) -> Iterator[Upstream]:
    server = daily_arxiv(settings)
    yield server
    server.close()


def import_rows(rows: list[dict[str, Any]]) -> None:
    """Import rows the way `paperwire import` does, with no vectors."""
    with tempfile.TemporaryDirectory() as d:
        import_files([write_jsonl(Path(d) / "papers.jsonl", rows)])


def keyword_ids(text: str) -> list[str]:
    # pin=False: an exact title is pinned from the database; only the index is asked here.
    return [h.paper.arxiv_id for h in engine.search(text, mode="keyword", limit=5, pin=False).hits]


def test_one_pass_ingests_embeds_indexes_and_sends_the_due_digests(
    upstream: Upstream, transactional_db: None, smtp_settings: Inbox
) -> None:
    upstream.on(API, fresh_feed)
    import_days(DAY, limit=3)
    readers = subscribers(2)
    report = jobs.run_pass(NOW)
    assert report.errors == []
    assert [(r.key, r.status, r.created) for r in report.ingested] == [("daily:arxiv:2026-07-02", "done", 10)]
    # Every paper has a vector: the 3 imported and the 10 ingested were embedded in this pass.
    assert report.embedded is not None and report.embedded.embedded == 13
    assert PaperVector.objects.count() == Paper.objects.count() == 13
    assert report.indexed is not None and report.indexed.keyword_added == 13
    assert report.indexed.vectors_count == 13
    ingested = Paper.objects.exclude(listing_day=dt.date.fromisoformat(DAY)).first()
    assert ingested is not None and ingested.arxiv_id in keyword_ids(ingested.title)
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}
    again = jobs.run_pass(NOW + dt.timedelta(minutes=1))  # nothing left: no run, no embedding, no mail
    assert again.ingested == [] and again.embedded is not None and again.embedded.embedded == 0
    assert again.indexed is not None and again.indexed.keyword_docs == 13
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}
    assert IngestRun.objects.count() == 1


def test_worker_once_makes_a_paper_imported_meanwhile_findable_by_words_and_meaning(
    db: None, settings: Any
) -> None:
    settings.INGEST_SOURCES = []
    settings.DIGEST_IN_SERVE = False
    rows = demo_rows(3)
    import_rows(rows[:1])
    update_indexes()  # this node's index as it was when the server started
    import_rows(rows[1:])  # `paperwire import` while it runs
    assert keyword_ids(rows[1]["title"]) == []  # in the database, not yet in this node's index
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ingestion: nothing due"
    assert lines[1].startswith("embedding: embedded 3 paper(s)"), lines
    assert lines[2].startswith("indexes: keyword index updated: ") and "3 in all; vector index" in lines[2]
    assert keyword_ids(rows[1]["title"])[0] == rows[1]["id"]
    by_meaning = engine.search(rows[1]["title"], mode="vector", limit=3, pin=False)
    assert by_meaning.vectors_used and by_meaning.hits[0].paper.arxiv_id == rows[1]["id"]


def test_a_failing_step_is_reported_and_the_later_steps_still_run(
    transactional_db: None, smtp_settings: Inbox, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_ingestion(*args: Any, **kwargs: Any) -> list[IngestRun]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "run_due", broken_ingestion)
    import_days(DAY, limit=2)
    readers = subscribers(2)
    settings.EMAIL_PORT = free_port()  # the SMTP server is down
    report = jobs.run_pass(NOW)
    assert report.errors[0] == "ingestion: RuntimeError: the database went away"
    assert report.errors[1].startswith("digests: ") and len(report.errors) == 2
    assert report.indexed is not None and report.indexed.keyword_added == 2  # indexed all the same
    assert smtp_settings.recipients() == {}
    settings.EMAIL_PORT = smtp_settings.port
    assert jobs.run_pass(NOW).digests.sent == 2  # type: ignore[union-attr]
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}


def test_the_pass_sends_digests_only_when_switched_on(
    transactional_db: None, smtp_settings: Inbox, settings: Any
) -> None:
    settings.INGEST_SOURCES = []
    import_days(DAY, limit=2)
    readers = subscribers(2)
    settings.DIGEST_IN_SERVE = False
    assert jobs.run_pass(NOW).digests is None
    assert smtp_settings.recipients() == {}
    settings.DIGEST_IN_SERVE = True
    assert jobs.run_pass(NOW).digests.sent == 2  # type: ignore[union-attr]
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}


def test_digest_loop_is_gone_and_says_the_worker_sends_digests(db: None) -> None:
    with pytest.raises(CommandError, match=r"`paperwire worker` .* sends the due digests"):
        call_command("digest", "--loop", stdout=io.StringIO())


def test_the_loop_stops_when_the_server_that_started_it_is_gone(db: None) -> None:
    lines: list[str] = []
    jobs.loop(interval=0.01, parent_pid=os.getppid() + 1, note=lines.append)
    assert lines == ["the server that started this worker is gone; stopping"]
