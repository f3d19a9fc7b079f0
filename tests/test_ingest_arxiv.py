"""`paperwire ingest arxiv` against a local server replaying recorded arXiv API responses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management.base import CommandError

from paperwire.ingest.client import retry_after_seconds
from paperwire.ingest.models import IngestRun
from paperwire.papers.models import Paper
from tests.ingest_fixtures import (
    Reply,
    Upstream,
    atom_entries,
    atom_feed,
    fixture,
    paged_atom,
    restamp,
    run_ingest,
)

pytest_plugins = ["tests.ingest_fixtures"]  # the `upstream` fixture


API = "/api/query"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ingest(*args: str) -> str:
    return run_ingest("arxiv", *args)


def fresh_entries(n: int = 10) -> list[bytes]:
    """Return the recorded entries restamped as updated in the last hours, newest first."""
    return [restamp(e, NOW - dt.timedelta(hours=i + 1)) for i, e in enumerate(atom_entries()[:n])]


def by_id_list(q: dict[str, str]) -> Reply:
    ids = q["id_list"].split(",")
    if ids == ["1605.08386"]:
        return Reply(body=fixture("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml"))
    if set(ids) == {"1605.08386", "1707.08567", "0808.0539"} or set(ids) == {"1605.08386", "1707.08567"}:
        a = atom_entries("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml")
        b = atom_entries("recorded-2026_id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.body.xml")
        return Reply(body=atom_feed(a + b, 2))
    return Reply(body=fixture("recorded-2026_id_0000.0000_s0_m100_8b51d9633a68.body.xml"))


def test_it_fetches_given_ids_urls_and_versions_and_reports_the_bad_ones(
    upstream: Upstream, db: None
) -> None:
    upstream.on(API, by_id_list)
    out = ingest("--id", "1605.08386", "--id", "https://arxiv.org/abs/1707.08567v2", "--id", "abc")
    paper = Paper.objects.get(arxiv_id="1605.08386")
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert paper.categories == ["math.CO", "math.ST"] and paper.primary_category == "math.CO"
    assert paper.published == dt.date(2016, 5, 26) and paper.comments == "20 pages, 3 figures"
    assert len(Paper.objects.get(arxiv_id="1707.08567").authors) > 30
    assert "created 2, updated 0, unchanged 0, invalid 1" in out
    assert "invalid abc: 'abc' is not an arXiv id" in out
    assert upstream.queries(API)[0]["id_list"] == "1605.08386,1707.08567"  # versionless: the latest version
    run = IngestRun.objects.get()
    assert run.status == "done" and run.created == 2 and run.invalid == 1 and run.trigger == "command"


def test_it_reads_the_2016_layout_with_inline_namespaces_and_wrapped_text(
    upstream: Upstream, db: None
) -> None:
    upstream.on(API, lambda q: Reply(body=fixture("legacy-2016_id_list-1111.2011v2.xml")))
    ingest("--id", "1111.2011")
    paper = Paper.objects.get(arxiv_id="1111.2011")
    assert paper.title.startswith(
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity"
    )
    assert "\n" not in paper.abstract and paper.abstract.startswith("Theoretical description of anisotropic")
    assert paper.latest_version == 2 and [v["version"] for v in paper.versions] == [1, 2]
    assert paper.updated == dt.date(2012, 4, 2)


def test_it_pages_a_category_newest_first_and_stops_at_what_it_already_has(
    upstream: Upstream, db: None
) -> None:
    entries = fresh_entries()
    upstream.on(API, paged_atom(entries))
    out = ingest("--category", "cs.SE", "--page-size", "4")
    assert Paper.objects.count() == 10 and "created 10" in out
    first = upstream.queries(API)
    assert [q["start"] for q in first] == ["0", "4", "8"]
    assert first[0]["search_query"] == "cat:cs.SE" and first[0]["sortBy"] == "lastUpdatedDate"
    # Two new papers arrive: the next run reads one page and stops at the papers it has.
    newer = [
        restamp(e, NOW - dt.timedelta(minutes=5))
        for e in atom_entries("legacy-2016_search_query-au-del_maestro.xml")[:2]
    ]
    upstream.on(API, paged_atom(newer + entries))
    upstream.requests.clear()
    out = ingest("--category", "cs.SE", "--page-size", "4")
    assert "created 2, updated 0" in out and len(upstream.queries(API)) == 1
    assert Paper.objects.count() == 12


def test_it_stops_at_since(upstream: Upstream, db: None) -> None:
    entries = [restamp(e, dt.datetime(2026, 3, 10 - i, tzinfo=dt.UTC)) for i, e in enumerate(atom_entries())]
    upstream.on(API, paged_atom(entries))
    ingest("--category", "cs.SE", "--since", "2026-03-07", "--page-size", "3")
    assert Paper.objects.count() == 4  # updated 10, 9, 8 and 7 March
    assert len(upstream.queries(API)) == 2


def test_it_writes_a_paper_once_when_pages_shift_and_repeat_an_id(upstream: Upstream, db: None) -> None:
    entries = fresh_entries(8)

    def shifting(q: dict[str, str]) -> Reply:
        start = int(q["start"])
        # A new submission pushed everything down by one: page 2 starts with page 1's last entry.
        chunk = entries[start - 1 if start else 0 : start + 4 - (1 if start else 0)]
        return Reply(body=atom_feed(chunk, len(entries) + 1, start))

    upstream.on(API, shifting)
    out = ingest("--category", "cs.SE", "--page-size", "4")
    assert Paper.objects.count() == 8 and "duplicates skipped 1" in out


def test_it_skips_entries_with_wrong_shaped_ids_or_missing_fields_with_reasons(
    upstream: Upstream, db: None
) -> None:
    good = fresh_entries(3)
    bad_id = good[0].replace(b"http://arxiv.org/abs/2202.12139v1", b"http://arxiv.org/abs/not-an-id")
    no_title = re.sub(rb"<title>.*?</title>", b"", good[1], flags=re.DOTALL)
    no_date = re.sub(rb"<published>.*?</published>", b"", good[2])
    upstream.on(API, lambda q: Reply(body=atom_feed([bad_id, no_title, no_date, *fresh_entries(5)[3:]], 5)))
    out = ingest("--category", "cs.SE")
    assert Paper.objects.count() == 2
    assert "invalid 3" in out
    assert "not an arXiv abs URL" in out and "missing <title>" in out and "missing 'published'" in out


def test_it_retries_429_and_503_honouring_retry_after(upstream: Upstream, db: None) -> None:
    upstream.serve_sequence(
        API,
        [
            Reply(429, b"slow down", "text/plain", {"Retry-After": "0"}),
            Reply(503, b"busy", "text/plain", {"Retry-After": "0"}),
            Reply(body=fixture("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml")),
        ],
    )
    ingest("--id", "1605.08386")
    assert Paper.objects.filter(arxiv_id="1605.08386").exists()
    assert len(upstream.queries(API)) == 3
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    "given",
    [None, "paperwire/0.1 (test instance; +http://127.0.0.1:8000)"],
    ids=["the default", "PAPERWIRE_USER_AGENT"],
)
def test_it_sends_a_descriptive_user_agent(
    upstream: Upstream, db: None, settings: Any, given: str | None
) -> None:
    seen: list[str] = []
    if given is not None:
        settings.INGEST_USER_AGENT = given

    import paperwire.ingest.client as client

    original = client.httpx.Client.stream  # the client streams bodies (to stop at its cap)

    def spy(self: Any, method: str, url: str, **kw: Any) -> Any:
        seen.append(self.headers["User-Agent"])
        return original(self, method, url, **kw)

    client.httpx.Client.stream = spy  # type: ignore[method-assign]
    try:
        upstream.on(API, by_id_list)
        ingest("--id", "1605.08386")
    finally:
        client.httpx.Client.stream = original  # type: ignore[method-assign]
    # The default names the software and where this instance lives (PAPERWIRE_BASE_URL).
    assert seen == [given or f"paperwire/0.1 (self-hosted daily-papers hub; +{settings.BASE_URL})"]
    assert settings.BASE_URL in seen[0]


def test_it_gives_up_after_the_retries_with_a_clear_message(upstream: Upstream, db: None) -> None:
    upstream.on(API, lambda q: Reply(503, b"down", "text/plain", {"Retry-After": "0"}))
    with pytest.raises(CommandError, match=r"gave up after 3 tries: HTTP 503"):
        ingest("--id", "1605.08386")
    run = IngestRun.objects.get()
    assert run.status == "failed" and "HTTP 503" in run.error
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            Reply(
                200,
                b"<!DOCTYPE html><html><head><title>arXiv is down for maintenance</title></head></html>",
                "text/html",
            ),
            "got an HTML page titled 'arXiv is down for maintenance'",
        ),
        (
            Reply(200, fixture("recorded-2026_q_testing_s0_m10_bc5a6c384fe9.body.xml")[:3000]),
            "malformed or truncated XML",
        ),
        (
            Reply(
                200,
                b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>',
            ),
            "refused an arXiv Atom feed with a DTD or entity declarations",
        ),
        (Reply(200, b""), "got an empty body"),
        (Reply(200, b"<rss><channel/></rss>"), "expected an Atom <feed> but the document is a <rss>"),
        (
            Reply(400, fixture("recorded-2026_id_abc_s0_m100_b79c8dcf6bc3.body.xml")),
            "arXiv API error: incorrect id format for abc",
        ),
    ],
    ids=["html", "truncated", "entities", "empty", "not-atom", "api-error"],
)
def test_a_bad_page_stops_with_a_clear_message_keeping_earlier_pages_whole(
    upstream: Upstream, db: None, reply: Reply, message: str
) -> None:
    entries = fresh_entries(8)

    def route(q: dict[str, str]) -> Reply:
        return paged_atom(entries)(q) if q["start"] == "0" else reply

    upstream.on(API, route)
    with pytest.raises(CommandError, match=re.escape(message)):
        ingest("--category", "cs.SE", "--page-size", "4")
    assert Paper.objects.count() == 4  # the first page, whole; nothing of the bad one
    assert IngestRun.objects.get().status == "failed"


def test_it_retries_a_page_cut_short_by_the_network(upstream: Upstream, db: None) -> None:
    body = fixture("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml")
    upstream.serve_sequence(API, [Reply(body=body, cut_at=500), Reply(body=body)])
    out = ingest("--id", "1605.08386")
    assert "created 1" in out and len(upstream.queries(API)) == 2


def test_a_network_error_that_persists_writes_nothing_of_that_page(upstream: Upstream, db: None) -> None:
    body = fixture("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml")
    upstream.on(API, lambda q: Reply(body=body, cut_at=500))
    with pytest.raises(CommandError, match="network error"):
        ingest("--id", "1605.08386")
    assert not Paper.objects.exists()


def test_it_asks_again_when_arxiv_sends_a_spuriously_empty_page(upstream: Upstream, db: None) -> None:
    entries = fresh_entries(3)
    upstream.serve_sequence(API, [Reply(body=atom_feed([], 3)), Reply(body=atom_feed(entries, 3))])
    out = ingest("--category", "cs.SE")
    assert "created 3" in out


def test_a_newer_version_updates_the_paper_and_a_withdrawn_one_is_marked(
    upstream: Upstream, db: None
) -> None:
    v1 = atom_entries("recorded-2026_id_1605.08386_s0_m100_199195aa31ad.body.xml")[0]
    upstream.on(API, lambda q: Reply(body=atom_feed([v1], 1)))
    ingest("--id", "1605.08386")
    v2 = (
        v1.replace(b"1605.08386v1", b"1605.08386v2")
        .replace(b"<updated>2016-05-26T17:59:46Z", b"<updated>2016-09-01T10:00:00Z")
        .replace(b"20 pages, 3 figures", b"This paper has been withdrawn by the authors due to an error")
    )
    upstream.on(API, lambda q: Reply(body=atom_feed([v2], 1)))
    out = ingest("--id", "1605.08386")
    paper = Paper.objects.get(arxiv_id="1605.08386")
    assert "updated 1" in out
    assert paper.withdrawn and paper.latest_version == 2 and paper.updated == dt.date(2016, 9, 1)
    assert [v["version"] for v in paper.versions] == [1, 2]
    # An older copy arriving later adds nothing and takes nothing away.
    upstream.on(API, lambda q: Reply(body=atom_feed([v1], 1)))
    ingest("--id", "1605.08386")
    paper.refresh_from_db()
    assert paper.withdrawn and paper.latest_version == 2 and "withdrawn" in paper.comments


def test_rerunning_changes_nothing(upstream: Upstream, db: None) -> None:
    upstream.on(API, by_id_list)
    ingest("--id", "1605.08386")
    out = ingest("--id", "1605.08386")
    assert "created 0, updated 0, unchanged 1" in out


def test_it_needs_a_category_or_an_id(db: None) -> None:
    with pytest.raises(CommandError, match="--category or --id"):
        ingest()
