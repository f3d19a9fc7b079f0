"""`paperwire ingest oai`: resumable OAI-PMH harvests against a local server replaying recorded pages."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from paperwire.ingest.models import HarvestState
from paperwire.papers.models import Paper
from tests.ingest_fixtures import (
    RECORD,
    ProcessDb,
    Reply,
    Upstream,
    fixture,
    oai_page,
    oai_records,
    paged_oai,
    record_id,
    run_ingest,
)

pytest_plugins = ["tests.ingest_fixtures"]  # the `upstream` fixture


OAI = "/oai"


def harvest(*args: str) -> str:
    return run_ingest("oai", *args)


def test_it_follows_resumption_tokens_and_reads_every_version(upstream: Upstream, db: None) -> None:
    records = oai_records(copies=2)
    upstream.on(OAI, paged_oai(records, 4))
    out = harvest("--set", "physics:nucl-ex", "--from", "2014-10-01")
    assert Paper.objects.count() == 12 and "created 12" in out and "(3 pages)" in out
    first = upstream.queries(OAI)[0]
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "set": "physics:nucl-ex",
        "from": "2014-10-01",
    }
    assert [q.get("resumptionToken") for q in upstream.queries(OAI)[1:]] == ["page-1", "page-2"]
    paper = Paper.objects.get(arxiv_id="0704.0716")
    assert [v["version"] for v in paper.versions] == [1, 2, 3, 4] and paper.latest_version == 4
    assert paper.versions[0]["date"] == "2007-04-05T12:45:03Z" and paper.versions[0]["size"] == "43kb"
    assert paper.submitter == "Christoph Richard" and paper.categories == ["math-ph", "math.MP"]
    shetty = Paper.objects.get(arxiv_id="0704.0471")
    assert shetty.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert HarvestState.objects.get(source="oai").complete
    # The harvest is done: running it again does nothing.
    assert "already complete" in harvest("--set", "physics:nucl-ex", "--from", "2014-10-01")


def test_it_reads_the_arxiv_format(upstream: Upstream, db: None) -> None:
    pages = [
        fixture("arXiv_ListRecords_2017_set-physics-hep-th.xml"),
        fixture("arXiv_ListRecords_2017_set-physics-hep-ex.xml"),
    ]
    pages[0] = pages[0].replace(
        b"</ListRecords>", b'<resumptionToken cursor="0">next</resumptionToken></ListRecords>'
    )
    upstream.on(
        OAI, lambda q: Reply(body=pages[1 if q.get("resumptionToken") else 0], content_type="text/xml")
    )
    harvest("--set", "physics:hep-th", "--format", "arXiv", "--from", "2017-12-14")
    assert Paper.objects.count() == 6
    paper = Paper.objects.get(arxiv_id="1412.8323")
    assert paper.authors == ["Philipp A Hoehn"] and paper.primary_category == "quant-ph"
    assert paper.published.isoformat() == "2014-12-29" and paper.updated.isoformat() == "2017-12-13"
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"


def test_a_harvest_killed_between_pages_resumes_with_every_record_exactly_once(
    upstream: Upstream, transactional_db: None, tmp_path: Path
) -> None:
    records = oai_records(copies=4)  # 24 records, 6 pages of 4
    reached, hold = threading.Event(), threading.Event()

    def stall_page_3(n: int) -> Reply | None:
        if n == 3 and not hold.is_set():
            reached.set()  # pages 0-2 are committed: the harvester asks for page 3 only after that
            return Reply(body=b"", wait=hold)
        return None

    upstream.on(OAI, paged_oai(records, 4, override=stall_page_3))
    db = ProcessDb(tmp_path)
    args = ["ingest", "oai", "--set", "physics:nucl-ex", "--from", "2014-10-01"]
    proc = db.popen(args, upstream.env())
    try:
        assert reached.wait(60), proc.communicate()[0] if proc.poll() is not None else "no request for page 3"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        hold.set()
    assert proc.returncode == -signal.SIGKILL
    assert db.query("SELECT COUNT(*) FROM papers_paper") == [(12,)]  # three whole pages, nothing more
    assert db.query("SELECT resumption_token, pages FROM ingest_harveststate") == [("page-3", 3)]

    upstream.requests.clear()
    done = db.run(args, upstream.env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "resuming after page 3" in done.stdout and "created 12" in done.stdout
    assert [q.get("resumptionToken") for q in upstream.queries(OAI)] == ["page-3", "page-4", "page-5"]
    rows = db.query("SELECT arxiv_id, COUNT(*) FROM papers_paper GROUP BY arxiv_id")
    assert sorted(i for i, _ in rows) == sorted(record_id(r) for r in records)
    assert all(count == 1 for _, count in rows)
    assert db.query("SELECT status FROM ingest_ingestrun ORDER BY id") == [("failed",), ("done",)]


def test_a_bad_resumption_token_starts_again_from_the_last_datestamp(upstream: Upstream, db: None) -> None:
    records = sorted(oai_records(copies=2), key=lambda r: RECORD.pattern and r.split(b"<datestamp>")[1][:10])
    state = {"refused": False}

    def route(q: dict[str, str]) -> Reply:
        token = q.get("resumptionToken")
        if token == "page-2" and not state["refused"]:
            state["refused"] = True
            return Reply(body=fixture("error_BadResumptionToken_2015.xml"), content_type="text/xml")
        if token:
            n = int(token.split("-")[1])
            chunk = records[n * 4 : n * 4 + 4]
            return Reply(
                body=oai_page(chunk, f"page-{n + 1}" if n * 4 + 4 < len(records) else None),
                content_type="text/xml",
            )
        since = q.get("from", "")
        rest = [r for r in records if r.split(b"<datestamp>")[1][:10].decode() >= since]
        return Reply(
            body=oai_page(rest[:4], "page-1" if not since.startswith("2014-11") or len(rest) > 4 else None),
            content_type="text/xml",
        )

    upstream.on(OAI, route)
    out = harvest("--from", "2014-10-01")
    assert "refused our resumption token; listing again from 2014-11-" in out
    restart = upstream.queries(OAI)[3]
    assert restart["from"].startswith("2014-11") and "resumptionToken" not in restart
    assert Paper.objects.count() == 12


def test_no_records_match_is_a_finished_harvest_not_an_error(upstream: Upstream, db: None) -> None:
    upstream.on(OAI, lambda q: Reply(body=fixture("error_NoRecordsMatch_2015.xml"), content_type="text/xml"))
    out = harvest("--set", "moo")
    assert "no records match: Set argument doesn't match any sets" in out
    assert HarvestState.objects.get().complete


def test_an_oai_error_stops_with_its_code_and_message(upstream: Upstream, db: None) -> None:
    upstream.on(OAI, lambda q: Reply(body=fixture("error_BadArgument_2015.xml"), content_type="text/xml"))
    with pytest.raises(CommandError, match="OAI-PMH error badArgument: Verb 'ListRecords', illegal argument"):
        harvest("--set", "cs")


def test_it_waits_out_a_503_with_retry_after(upstream: Upstream, db: None) -> None:
    good = paged_oai(oai_records(copies=1), 6)
    calls = {"n": 0}

    def route(q: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(503, b"<html><body>Retry later</body></html>", "text/html", {"Retry-After": "0"})
        return good(q)

    upstream.on(OAI, route)
    assert "created 6" in harvest("--set", "physics")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            Reply(body=oai_page(oai_records(1)[:2], "page-2")[:-200], content_type="text/xml"),
            "malformed or truncated XML",
        ),
        (
            Reply(body=b"<html><title>502 Bad Gateway</title></html>", content_type="text/html"),
            "got an HTML page",
        ),
        (
            Reply(
                body=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><OAI-PMH>&a;</OAI-PMH>',
                content_type="text/xml",
            ),
            "with a DTD or entity declarations",
        ),
    ],
    ids=["truncated", "html", "entities"],
)
def test_a_broken_page_stops_the_harvest_and_a_rerun_finishes_it(
    upstream: Upstream, db: None, bad: Reply, message: str
) -> None:
    records = oai_records(copies=2)
    broken = {"on": True}
    upstream.on(OAI, paged_oai(records, 4, override=lambda n: bad if n == 1 and broken["on"] else None))
    with pytest.raises(CommandError, match=message):
        harvest("--set", "physics")
    assert Paper.objects.count() == 4  # page 0 whole, nothing of page 1
    broken["on"] = False
    out = harvest("--set", "physics")
    assert "resuming after page 1" in out and Paper.objects.count() == 12


def test_records_with_missing_fields_or_bad_ids_are_reported_and_the_rest_written(
    upstream: Upstream, db: None
) -> None:
    records = oai_records(copies=1)
    records[0] = records[0].replace(b"<id>0704.0471</id>", b"<id>0704.99</id>")
    records[1] = records[1].replace(b"<title>Limit distributions and scaling functions</title>", b"")
    records[2] = records[2].split(b"<metadata>")[0] + b"</record>"
    records[3] = records[3].replace(b"<header>", b'<header status="deleted">')
    records.append(records[4])  # the same record twice on one page
    upstream.on(OAI, lambda q: Reply(body=oai_page(records, None), content_type="text/xml"))
    out = harvest("--set", "physics")
    assert Paper.objects.count() == 2
    assert "invalid 3" in out and "duplicates skipped 1" in out
    assert "is not an arXiv id" in out and "missing <title>" in out and "no <metadata>" in out


def test_an_empty_page_with_a_token_is_followed(upstream: Upstream, db: None) -> None:
    records = oai_records(copies=1)
    upstream.on(
        OAI,
        paged_oai(
            records,
            3,
            override=lambda n: (
                Reply(body=oai_page([], "page-1"), content_type="text/xml") if n == 0 else None
            ),
        ),
    )
    harvest("--set", "physics")
    assert Paper.objects.count() == 3  # page 0 empty, page 1 holds records 3-5


def test_a_bad_token_in_a_list_not_in_datestamp_order_lists_again_from_the_start(
    upstream: Upstream, db: None
) -> None:
    records = oai_records(copies=2)  # arXiv lists by id: the datestamps jump back and forth
    refused = {"once": False}

    def refuse_page_2_once(n: int) -> Reply | None:
        if n == 2 and not refused["once"]:
            refused["once"] = True
            return Reply(body=fixture("error_BadResumptionToken_2015.xml"), content_type="text/xml")
        return None

    upstream.on(OAI, paged_oai(records, 4, override=refuse_page_2_once))
    out = harvest("--from", "2014-10-01")
    assert "listing again from 2014-10-01" in out
    assert Paper.objects.count() == 12 and "created 12" in out and "unchanged 8" in out
