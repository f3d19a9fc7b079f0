"""The arXiv query API (Atom): a category's newest papers page by page, or given ids."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405  # types only; parsing goes through defusedxml
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paperwire.papers.fields import (
    InvalidField,
    abstract_text,
    is_withdrawn,
    iso_datetime,
    squash,
    unique,
    utc_z,
)
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.records import PaperRecord, VersionInfo
from paperwire.papers.upsert import upsert_records

from .client import FetchError, IngestError, Page, PoliteClient
from .hooks import Hooks
from .models import HarvestState
from .report import IngestReport
from .xmlparse import PageError, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
PAGE_SIZE = 100  # entries per request; arXiv allows up to 2,000 but answers large pages slowly
ID_BATCH = 100  # ids per id_list request
FIRST_RUN_DAYS = 7  # how far back a category's first pass goes when no --since is given


class ArxivApiError(IngestError):
    """The API answered with its own error entry (e.g. a malformed query)."""


@dataclass
class Entry:
    where: str
    record: PaperRecord | None
    reason: str = ""
    updated: dt.datetime | None = None


@dataclass
class AtomPage:
    entries: list[Entry] = field(default_factory=list)
    total: int | None = None  # opensearch:totalResults


def _text(el: ET.Element, tag: str) -> str:
    found = el.find(tag)
    return (found.text or "").strip() if found is not None else ""


def entry_record(entry: ET.Element) -> tuple[PaperRecord, dt.datetime]:
    """Return the record and latest-version time of one Atom entry; raise InvalidField."""
    raw_id = _text(entry, ATOM + "id")
    if not raw_id:
        raise InvalidField("missing <id>")
    try:
        parsed = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        raise InvalidField(f"<id> {raw_id[:80]!r} is not an arXiv abs URL") from None
    title = squash(_text(entry, ATOM + "title"))
    if not title:
        raise InvalidField("missing <title>")
    abstract = abstract_text(_text(entry, ATOM + "summary"))
    if not abstract:
        raise InvalidField("missing <summary>")
    published = iso_datetime(_text(entry, ATOM + "published"), "published")
    updated_text = _text(entry, ATOM + "updated")
    updated = iso_datetime(updated_text, "updated") if updated_text else published
    authors = unique([squash(a.findtext(ATOM + "name")) for a in entry.findall(ATOM + "author")])
    if not authors:
        raise InvalidField("no <author>")
    primary = entry.find(ARXIV + "primary_category")
    terms = [primary.get("term", "") if primary is not None else ""]
    terms += [c.get("term", "") for c in entry.findall(ATOM + "category")]
    version = parsed.version or 1
    versions = [VersionInfo(1, utc_z(published))]
    if version > 1:
        versions.append(VersionInfo(version, utc_z(updated)))
    comments = squash(_text(entry, ARXIV + "comment"))
    record = PaperRecord(
        arxiv_id=parsed.id,
        title=title,
        abstract=abstract,
        authors=authors,
        categories=unique([t.strip() for t in terms]),
        published=published.date(),
        updated=updated.date() if version > 1 else None,
        versions=versions,
        latest_version=version,
        comments=comments,
        journal_ref=squash(_text(entry, ARXIV + "journal_ref")),
        doi=squash(_text(entry, ARXIV + "doi")),
        withdrawn=is_withdrawn(comments, abstract),
    )
    return record, updated


def parse_atom(page: Page) -> AtomPage:
    """Return the entries of one API page; raise PageError or ArxivApiError for a page that is not one."""
    root = parse_xml(page, "an arXiv Atom feed")
    if root.tag != ATOM + "feed":
        raise PageError(
            f"expected an Atom <feed> but the document is a <{root.tag.rsplit('}', 1)[-1]}> ({page.url})"
        )
    entries = root.findall(ATOM + "entry")
    for entry in entries:
        if "/api/errors" in _text(entry, ATOM + "id"):
            raise ArxivApiError(
                f"arXiv API error: {_text(entry, ATOM + 'summary') or 'no message'} ({page.url})"
            )
    if page.status != 200:
        raise FetchError(f"HTTP {page.status} from {page.url}")
    out = AtomPage()
    total = _text(root, OPENSEARCH + "totalResults")
    out.total = int(total) if total.isascii() and total.isdigit() else None
    start_text = _text(root, OPENSEARCH + "startIndex")
    start = int(start_text) if start_text.isascii() and start_text.isdigit() else 0
    for i, entry in enumerate(entries):
        where = _text(entry, ATOM + "id")[:80] or f"entry {start + i + 1}"
        try:
            record, updated = entry_record(entry)
        except InvalidField as e:
            out.entries.append(Entry(where, None, str(e)))
        else:
            out.entries.append(Entry(record.arxiv_id, record, updated=updated))
    return out


def fetch_page(client: PoliteClient, params: dict[str, object], hooks: Hooks) -> tuple[Page, AtomPage]:
    """Fetch and parse one page, asking again when arXiv hands back a spuriously empty one."""
    url = settings.ARXIV_API_URL
    for attempt in range(client.retries + 1):
        page = client.get(url, params, ok=frozenset({400}))
        atom = parse_atom(page)
        start = int(str(params.get("start", 0)))
        # The API sometimes answers a page with no entries although more results exist.
        if atom.entries or not atom.total or start >= atom.total:
            return page, atom
        if attempt < client.retries:
            hooks.note(f"arXiv sent an empty page at start={start} of {atom.total}; asking again")
            client.sleep(client.backoff * (2**attempt))
    raise FetchError(
        f"arXiv kept sending an empty page at start={params.get('start')} though it reported "
        f"{atom.total} results; run the ingestion again later"
    )


def _write(records: list[PaperRecord], report: IngestReport) -> None:
    """Upsert one page's records in one transaction."""
    with transaction.atomic():
        report.add_counts(upsert_records(records))


def ingest_category(
    client: PoliteClient,
    category: str,
    *,
    since: dt.date | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    hooks: Hooks | None = None,
) -> IngestReport:
    """Pull a category's papers, most recently updated first, down to what we already have or `since`."""
    hooks = hooks or Hooks()
    report = IngestReport("arxiv")
    state, _ = HarvestState.objects.get_or_create(
        key=f"arxiv|{category}", defaults={"source": "arxiv", "params": {"category": category}}
    )
    watermark = state.watermark
    if since is not None:
        floor: dt.datetime | None = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        stop_at = None  # an explicit --since goes back that far even past the watermark
    else:
        floor = None if watermark else timezone.now() - dt.timedelta(days=FIRST_RUN_DAYS)
        stop_at = watermark
    newest: dt.datetime | None = None
    seen: set[str] = set()
    start = 0
    while True:
        params = {
            "search_query": f"cat:{category}",
            "sortBy": "lastUpdatedDate",
            "sortOrder": "descending",
            "start": start,
            "max_results": page_size,
        }
        try:
            _, atom = fetch_page(client, params, hooks)
        except IngestError as e:
            report.error = f"{category}: {e}"
            return report
        if start == 0:
            hooks.total(min(atom.total or 0, 30000) or None)
        report.pages += 1
        records: list[PaperRecord] = []
        reached_end = False
        for entry in atom.entries:
            report.fetched += 1
            hooks.advance(1)
            if entry.record is None:
                report.add_invalid(entry.where, entry.reason)
                continue
            assert entry.updated is not None
            if (floor is not None and entry.updated < floor) or (
                stop_at is not None and entry.updated <= stop_at
            ):
                reached_end = True  # sorted by update time: everything after this is older
                continue
            if entry.record.arxiv_id in seen:
                report.duplicates += 1  # new papers arriving mid-run shift the pages down
                continue
            seen.add(entry.record.arxiv_id)
            records.append(entry.record)
            newest = max(newest, entry.updated) if newest else entry.updated
        _write(records, report)
        hooks.page_done(report)
        start += len(atom.entries)
        if reached_end or len(atom.entries) < page_size or (atom.total is not None and start >= atom.total):
            break
        if max_pages is not None and report.pages >= max_pages:
            report.notes.append(f"{category}: stopped after {max_pages} pages (--max-pages)")
            return report
    # Move the watermark only when this pass reached the last one, so no gap opens behind it.
    covered = watermark is None or since is None or since <= watermark.date()
    if newest and covered and (watermark is None or newest > watermark):
        HarvestState.objects.filter(pk=state.pk).update(watermark=newest, pages=state.pages + report.pages)
    return report


def ingest_categories(
    categories: Iterable[str],
    *,
    since: dt.date | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    hooks: Hooks | None = None,
) -> IngestReport:
    """Pull the newest papers of each category in turn; stop at the first category that fails."""
    report = IngestReport("arxiv")
    with PoliteClient(delay=settings.ARXIV_DELAY, on_wait=(hooks or Hooks()).note) as client:
        for category in categories:
            part = ingest_category(
                client, category, since=since, page_size=page_size, max_pages=max_pages, hooks=hooks
            )
            report.merge(part)
            if part.error:
                break
    return report


def ingest_ids(ids: Iterable[str], *, hooks: Hooks | None = None) -> IngestReport:
    """Fetch the latest version of each given paper (ids or abs/pdf URLs, with or without versions)."""
    hooks = hooks or Hooks()
    report = IngestReport("arxiv")
    wanted: list[str] = []
    for given in ids:
        try:
            wanted.append(parse_arxiv_id(given).id)
        except InvalidArxivId as e:
            report.add_invalid(given[:80], str(e))
    wanted = unique(wanted)
    hooks.total(len(wanted))
    with PoliteClient(delay=settings.ARXIV_DELAY, on_wait=hooks.note) as client:
        for i in range(0, len(wanted), ID_BATCH):
            batch = wanted[i : i + ID_BATCH]
            params = {"id_list": ",".join(batch), "start": 0, "max_results": len(batch)}
            try:
                _, atom = fetch_page(client, params, hooks)
            except IngestError as e:
                report.error = str(e)
                return report
            report.pages += 1
            records: list[PaperRecord] = []
            for entry in atom.entries:
                report.fetched += 1
                hooks.advance(1)
                if entry.record is None:
                    report.add_invalid(entry.where, entry.reason)
                elif entry.record.arxiv_id in {r.arxiv_id for r in records}:
                    report.duplicates += 1
                else:
                    records.append(entry.record)
            for missing in sorted(set(batch) - {r.arxiv_id for r in records}):
                report.add_invalid(missing, "arXiv has no paper with this id")
            _write(records, report)
            hooks.page_done(report)
    return report
