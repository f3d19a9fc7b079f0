"""The daily ingestion: runs claimed in the database, two workers at once, the staff status page."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from paperwire.claims import holder_id
from paperwire.ingest import schedule
from paperwire.ingest.models import IngestRun
from paperwire.ingest.runs import claim_run, reap_dead_runs, slot_run
from paperwire.papers.models import Paper
from tests.ingest_fixtures import (
    ProcessDb,
    Reply,
    Upstream,
    daily_arxiv,
    fixture,
    fresh_feed,
    oai_records,
    paged_oai,
)

API = "/api/query"


@pytest.fixture
def upstream(settings: Any) -> Iterator[Upstream]:
    server = daily_arxiv(settings)
    yield server
    server.close()


def test_a_slot_is_claimed_once(db: None) -> None:
    run = slot_run("daily:arxiv:2026-06-15", "arxiv", {})
    assert claim_run(run) is True
    assert claim_run(run) is False
    assert claim_run(slot_run("daily:arxiv:2026-06-15", "arxiv", {})) is False
    run.refresh_from_db()
    assert (run.status, run.attempts, run.claimed_by) == ("running", 1, holder_id())


def test_a_stale_or_failed_slot_can_be_taken_again_later(db: None) -> None:
    run = slot_run("daily:hf:2026-06-15", "hf", {})
    assert claim_run(run)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    IngestRun.objects.filter(pk=run.pk).update(claimed_by="elsewhere:1:x", heartbeat_at=long_ago)
    assert claim_run(run)  # the worker on another machine stopped beating
    IngestRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
    assert not claim_run(run)  # too soon to retry
    IngestRun.objects.filter(pk=run.pk).update(finished_at=long_ago)
    assert claim_run(run)
    IngestRun.objects.filter(pk=run.pk).update(status="failed", finished_at=long_ago)
    assert not claim_run(run)  # three attempts are the most
    assert IngestRun.objects.get(pk=run.pk).attempts == 3


def test_the_worker_runs_the_configured_ingestion_once_a_day(upstream: Upstream, db: None) -> None:
    upstream.on(API, fresh_feed)
    ran = schedule.run_due(dt.datetime.now(dt.UTC).replace(hour=3))
    assert [r.status for r in ran] == ["done"] and ran[0].created == 10
    assert ran[0].key == f"daily:arxiv:{dt.datetime.now(dt.UTC).date()}" and ran[0].trigger == "schedule"
    assert schedule.run_due(dt.datetime.now(dt.UTC).replace(hour=4)) == []  # today's slot is taken
    assert Paper.objects.count() == 10


def test_nothing_runs_before_the_configured_hour(upstream: Upstream, db: None, settings: Any) -> None:
    settings.INGEST_HOUR = 5
    assert schedule.run_due(dt.datetime(2026, 6, 15, 4, 59, tzinfo=dt.UTC)) == []
    assert not IngestRun.objects.exists()


def test_a_failing_source_is_recorded_with_its_error(upstream: Upstream, db: None) -> None:
    upstream.on(API, lambda q: Reply(200, b"<html><title>Oops</title></html>", "text/html"))
    (run,) = schedule.run_due(dt.datetime(2026, 6, 15, 3, tzinfo=dt.UTC))
    assert run.status == "failed" and "got an HTML page titled 'Oops'" in run.error


def test_two_workers_at_once_make_one_run(upstream: Upstream, transactional_db: None, tmp_path: Path) -> None:
    gate = threading.Event()

    def slow_feed(q: dict[str, str]) -> Reply:
        reply = fresh_feed(q)
        reply.wait = gate  # hold the first answer so both workers are surely running together
        return reply

    upstream.on(API, slow_feed)
    db = ProcessDb(tmp_path)
    env = {
        **upstream.env(),
        "PAPERWIRE_INGEST_SOURCES": "arxiv",
        "PAPERWIRE_INGEST_CATEGORIES": "cs.SE",
        "PAPERWIRE_INGEST_HOUR": "0",
    }
    workers = [db.popen(["worker", "--once"], env) for _ in range(2)]
    deadline = time.monotonic() + 60
    while not upstream.queries(API) and time.monotonic() < deadline:
        time.sleep(0.05)
    # One worker is fetching; give the other time to try its claim before letting the fetch finish.
    while time.monotonic() < deadline and all(w.poll() is None for w in workers):
        time.sleep(0.05)
    gate.set()
    outputs = [w.communicate(timeout=60)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert sum("nothing due" in o for o in outputs) == 1, outputs
    assert db.query("SELECT key, status, created FROM ingest_ingestrun") == [
        (f"daily:arxiv:{dt.datetime.now(dt.UTC).date()}", "done", 10)
    ]
    assert len(upstream.queries(API)) == 1
    assert db.query("SELECT COUNT(*) FROM papers_paper") == [(10,)]


def test_a_run_whose_process_died_is_marked_failed(db: None) -> None:
    IngestRun.objects.create(
        key="command:oai:x", source="oai", status="running", claimed_by=f"{os.uname().nodename}:999999:x"
    )
    assert reap_dead_runs() == 1
    assert IngestRun.objects.get().status == "failed"


def test_the_status_page_is_for_staff_and_lists_the_runs(db: None) -> None:
    IngestRun.objects.create(
        key="daily:arxiv:2026-06-15", source="arxiv", status="done", created=12, fetched=40
    )
    IngestRun.objects.create(
        key="daily:hf:2026-06-15", source="hf", status="failed", error="HTTP 503 from hf"
    )
    client = Client()
    response = client.get("/ingest/status")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    User.objects.create_user("reader", password="pw-reader-1")
    client.login(username="reader", password="pw-reader-1")
    assert client.get("/ingest/status").status_code == 302
    User.objects.create_user("staff", password="pw-staff-1", is_staff=True, is_superuser=True)
    client.login(username="staff", password="pw-staff-1")
    page = client.get("/ingest/status").content.decode()
    assert "daily:arxiv:2026-06-15" in page and "HTTP 503 from hf" in page
    admin = client.get("/admin/ingest/ingestrun/")
    assert admin.status_code == 200 and "daily:hf:2026-06-15" in admin.content.decode()
    assert client.get("/admin/ingest/harveststate/").status_code == 200


def test_serve_runs_the_daily_ingestion_beside_the_web_server(
    upstream: Upstream, transactional_db: None, tmp_path: Path
) -> None:
    hf_items = fixture("hf_daily_2026-06-15.json")
    upstream.on(
        "/api/daily_papers",
        lambda q: Reply(body=hf_items if q["p"] == "0" else b"[]", content_type="application/json"),
    )
    db = ProcessDb(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**upstream.env(), "PAPERWIRE_INGEST_SOURCES": "hf", "PAPERWIRE_INGEST_HOUR": "0"}
    server = db.popen(["serve", "--port", str(port), "--workers", "1"], env)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not db.query(
            "SELECT 1 FROM ingest_ingestrun WHERE status = 'done'"
        ):
            assert server.poll() is None, server.communicate()[0]
            time.sleep(0.2)
        children = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(server.pid)], capture_output=True, text=True
        )
        workers = [
            int(line.split()[0]) for line in children.stdout.splitlines() if "worker --parent-pid" in line
        ]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    today = dt.datetime.now(dt.UTC).date()
    assert db.query("SELECT key, status, created FROM ingest_ingestrun") == [
        (f"daily:hf:{today}", "done", 6)
    ], output
    assert len(workers) == 1, output
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(workers[0], 0)  # the worker stopped with the server


def test_the_oai_source_harvests_each_followed_archive_for_the_last_two_days(
    upstream: Upstream, db: None, settings: Any
) -> None:
    settings.INGEST_SOURCES = ["oai"]  # PAPERWIRE_INGEST_SOURCES=oai
    settings.INGEST_CATEGORIES = ["math.AG", "nucl-th", "cs.LG"]
    upstream.on("/oai", paged_oai(oai_records(copies=1), 6))  # 6 recorded records, any set
    (run,) = schedule.run_due(dt.datetime(2026, 6, 15, 3, tzinfo=dt.UTC))
    assert (run.key, run.status) == ("daily:oai:2026-06-15", "done"), run.error
    asked = upstream.queries("/oai")
    assert sorted(q["set"] for q in asked) == ["cs", "math", "physics:nucl-th"]
    assert {(q["from"], q["until"]) for q in asked} == {("2026-06-13", "2026-06-15")}
    # Only the records in a followed category are kept: math.AG, and nucl-th (twice, once cross-listed).
    kept = sorted(Paper.objects.values_list("categories", flat=True), key=str)
    assert kept == [["math.AG"], ["nucl-ex", "nucl-th"], ["nucl-th"]]
