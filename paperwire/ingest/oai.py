"""Bulk harvest through OAI-PMH ListRecords (arXiv and arXivRaw formats), resumable page by page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405  # types only; parsing goes through defusedxml
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paperwire.papers.fields import InvalidField, abstract_text, is_withdrawn, iso_date, squash, unique, utc_z
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.records import PaperRecord, VersionInfo
from paperwire.papers.upsert import upsert_records

from .client import IngestError, Page, PoliteClient
from .hooks import Hooks
from .models import HarvestState
from .report import IngestReport
from .runs import claim_harvest, release_harvest
from .xmlparse import PageError, parse_xml

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
FORMATS = ("arXivRaw", "arXiv")
MAX_TOKEN_RESTARTS = 3  # badResumptionToken answers in a row before the harvest gives up
AND_SPLIT = re.compile(r",?\s+and\s+|,")


class OaiError(IngestError):
    """The repository answered with an OAI-PMH <error>."""


@dataclass
class OaiPage:
    records: list[tuple[str, PaperRecord | None, str]] = field(default_factory=list)  # (where, record, why)
    datestamps: list[str] = field(default_factory=list)
    deleted: int = 0
    token: str | None = None  # None: this was the last page
    complete_list_size: int | None = None
    error_code: str = ""
    error_message: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: ET.Element, tag: str) -> str:
    found = el.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _id(raw: str) -> str:
    if not raw:
        raise InvalidField("missing <id>")
    try:
        parsed = parse_arxiv_id(raw)
    except InvalidArxivId:
        raise InvalidField(f"<id> {raw[:80]!r} is not an arXiv id") from None
    return parsed.id


def _required(el: ET.Element, tag: str, ns: str) -> str:
    value = squash(_text(el, ns + tag))
    if not value:
        raise InvalidField(f"missing <{tag}>")
    return value


def split_authors(text: str) -> list[str]:
    """Split arXivRaw's free-text author list ("A. B, C. D, and E. F") into names, keeping (…) whole."""
    names, depth, current = [], 0, ""
    for part in re.split(r"([()])", squash(text)):
        if part == "(":
            depth += 1
        elif part == ")":
            depth = max(0, depth - 1)
        if depth or part in "()":
            current += part
            continue
        pieces = AND_SPLIT.split(part)
        current += pieces[0]
        for piece in pieces[1:]:
            names.append(current)
            current = piece
    names.append(current)
    return unique([squash(n) for n in names])


def arxiv_record(md: ET.Element) -> PaperRecord:
    """Return the record of one `arXiv`-format metadata element."""
    created = iso_date(_text(md, ARXIV + "created"), "created")
    updated_text = _text(md, ARXIV + "updated")
    updated = iso_date(updated_text, "updated") if updated_text else None
    authors = []
    for a in md.findall(f"{ARXIV}authors/{ARXIV}author"):
        parts = [_text(a, ARXIV + "forenames"), _text(a, ARXIV + "keyname"), _text(a, ARXIV + "suffix")]
        authors.append(squash(" ".join(p for p in parts if p)))
    if not unique(authors):
        raise InvalidField("no <author>")
    comments = squash(_text(md, ARXIV + "comments"))
    abstract = abstract_text(_text(md, ARXIV + "abstract"))
    if not abstract:
        raise InvalidField("missing <abstract>")
    return PaperRecord(
        arxiv_id=_id(_text(md, ARXIV + "id")),
        title=_required(md, "title", ARXIV),
        abstract=abstract,
        authors=unique(authors),
        categories=unique(_required(md, "categories", ARXIV).split()),
        published=created,
        updated=updated,
        # The format gives the v1 date and the latest date, not the number of versions.
        versions=[VersionInfo(1, created.isoformat())],
        latest_version=None if updated else 1,
        comments=comments,
        journal_ref=squash(_text(md, ARXIV + "journal-ref")),
        doi=squash(_text(md, ARXIV + "doi")),
        license=squash(_text(md, ARXIV + "license")),
        withdrawn=is_withdrawn(comments, abstract),
    )


def _rfc822(value: str) -> str:
    try:
        return utc_z(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        raise InvalidField(f"version date {value[:40]!r} is not an RFC 822 date") from None


def raw_record(md: ET.Element) -> PaperRecord:
    """Return the record of one `arXivRaw`-format metadata element (every version, dated)."""
    versions = []
    for v in md.findall(RAW + "version"):
        label = v.get("version", "")
        if not re.fullmatch(r"v[1-9]\d{0,3}", label):
            raise InvalidField(f"bad version label {label[:20]!r}")
        versions.append(
            VersionInfo(int(label[1:]), _rfc822(_text(v, RAW + "date")), _text(v, RAW + "size") or None)
        )
    if not versions:
        raise InvalidField("no <version>")
    versions.sort(key=lambda v: v.version)
    assert versions[0].date and versions[-1].date
    comments = squash(_text(md, RAW + "comments"))
    abstract = abstract_text(_text(md, RAW + "abstract"))
    if not abstract:
        raise InvalidField("missing <abstract>")
    authors = split_authors(_required(md, "authors", RAW))
    return PaperRecord(
        arxiv_id=_id(_text(md, RAW + "id")),
        title=_required(md, "title", RAW),
        abstract=abstract,
        authors=authors,
        categories=unique(_required(md, "categories", RAW).split()),
        published=dt.date.fromisoformat(versions[0].date[:10]),
        updated=dt.date.fromisoformat(versions[-1].date[:10]) if len(versions) > 1 else None,
        versions=versions,
        latest_version=versions[-1].version,
        comments=comments,
        journal_ref=squash(_text(md, RAW + "journal-ref")),
        doi=squash(_text(md, RAW + "doi")),
        license=squash(_text(md, RAW + "license")),
        submitter=squash(_text(md, RAW + "submitter")),
        withdrawn=is_withdrawn(comments, abstract, versions[-1].size),
    )


METADATA_PARSERS: dict[str, Callable[[ET.Element], PaperRecord]] = {
    ARXIV + "arXiv": arxiv_record,
    RAW + "arXivRaw": raw_record,
}


def parse_oai(page: Page) -> OaiPage:
    """Return the records, token and any OAI error of one ListRecords page; raise PageError."""
    root = parse_xml(page, "an OAI-PMH response")
    if root.tag != OAI + "OAI-PMH":
        raise PageError(
            f"expected an <OAI-PMH> response but the document is a <{_local(root.tag)}> ({page.url})"
        )
    out = OaiPage()
    error = root.find(OAI + "error")
    if error is not None:
        out.error_code, out.error_message = error.get("code", "unknown"), squash(error.text)
        return out
    listing = root.find(OAI + "ListRecords")
    if listing is None:
        raise PageError(f"the OAI-PMH response has neither <ListRecords> nor <error> ({page.url})")
    for i, rec in enumerate(listing.findall(OAI + "record"), start=1):
        header = rec.find(OAI + "header")
        identifier = _text(header, OAI + "identifier") if header is not None else ""
        where = identifier.removeprefix("oai:arXiv.org:")[:80] or f"record {i}"
        if header is not None and header.get("status") == "deleted":
            out.deleted += 1
            continue
        datestamp = _text(header, OAI + "datestamp") if header is not None else ""
        if datestamp:
            out.datestamps.append(datestamp[:10])
        metadata = rec.find(OAI + "metadata")
        md = metadata[0] if metadata is not None and len(metadata) else None
        if md is None:
            out.records.append((where, None, "no <metadata>"))
            continue
        parser = METADATA_PARSERS.get(md.tag)
        if parser is None:
            out.records.append((where, None, f"unsupported metadata format <{md.tag.rsplit('}', 1)[-1]}>"))
            continue
        try:
            out.records.append((where, parser(md), ""))
        except InvalidField as e:
            out.records.append((where, None, str(e)))
    token = listing.find(OAI + "resumptionToken")
    if token is not None:
        out.token = (token.text or "").strip() or None  # an empty token marks the last page
        size = token.get("completeListSize", "")
        out.complete_list_size = int(size) if size.isascii() and size.isdigit() else None
    return out


def harvest_key(url: str, prefix: str, set_spec: str, from_date: str, until_date: str) -> str:
    """Return the key under which a harvest's position is stored."""
    return f"oai|{url}|{prefix}|{set_spec or '*'}|{from_date}|{until_date}"


def harvest(
    *,
    set_spec: str = "",
    from_date: dt.date | None = None,
    until_date: dt.date | None = None,
    metadata_prefix: str = "arXivRaw",
    restart: bool = False,
    keep: Callable[[PaperRecord], bool] | None = None,
    max_pages: int | None = None,
    hooks: Hooks | None = None,
) -> IngestReport:
    """Harvest ListRecords page by page; each page and the position after it commit together."""
    hooks = hooks or Hooks()
    if metadata_prefix not in FORMATS:
        raise IngestError(f"unsupported format {metadata_prefix!r}; use one of {', '.join(FORMATS)}")
    url = settings.OAI_URL
    start, until = (
        (from_date.isoformat() if from_date else ""),
        (until_date.isoformat() if until_date else ""),
    )
    report = IngestReport("oai")
    key = harvest_key(url, metadata_prefix, set_spec, start, until)
    state, _ = HarvestState.objects.get_or_create(
        key=key,
        defaults={
            "source": "oai",
            "params": {
                "set": set_spec,
                "from": start,
                "until": until,
                "format": metadata_prefix,
                "ordered": True,
            },
        },
    )
    holder = claim_harvest(state)
    if holder is None:
        state.refresh_from_db()
        raise IngestError(
            f"this harvest is being run by another process ({state.claimed_by}); not starting a second"
        )
    try:
        if restart:
            state.resumption_token, state.restart_from, state.last_datestamp = "", "", ""
            state.pages = state.records = 0
            state.complete = False
            state.params = {**state.params, "ordered": True}
            state.save()
        elif state.complete:
            report.notes.append(
                "this harvest is already complete; nothing to do (--restart harvests it again)"
            )
            return report
        elif state.resumption_token or state.restart_from:
            report.notes.append(
                f"resuming after page {state.pages} ({state.records} records already harvested)"
            )
            hooks.note(report.notes[-1])
        if state.complete_list_size:
            hooks.total(state.complete_list_size)
        with PoliteClient(delay=settings.ARXIV_DELAY, on_wait=hooks.note) as client:
            _harvest_pages(
                client, url, state, report, set_spec, start, until, metadata_prefix, keep, max_pages, hooks
            )
    except IngestError as e:
        report.error = str(e)
    finally:
        release_harvest(state, holder)
    return report


def _harvest_pages(
    client: PoliteClient,
    url: str,
    state: HarvestState,
    report: IngestReport,
    set_spec: str,
    start: str,
    until: str,
    prefix: str,
    keep: Callable[[PaperRecord], bool] | None,
    max_pages: int | None,
    hooks: Hooks,
) -> None:
    restarts = 0
    while True:
        if state.resumption_token:
            params = {"verb": "ListRecords", "resumptionToken": state.resumption_token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": prefix}
            if set_spec:
                params["set"] = set_spec
            if state.restart_from or start:
                params["from"] = state.restart_from or start
            if until:
                params["until"] = until
        page = client.get(url, params, ok=frozenset({400, 404, 422}))
        oai = parse_oai(page)
        if oai.error_code == "noRecordsMatch":
            report.notes.append(f"no records match: {oai.error_message}")
            _save_position(state, [], report, oai, keep)
            return
        if oai.error_code == "badResumptionToken" and restarts < MAX_TOKEN_RESTARTS:
            restarts += 1
            # Starting again at the last datestamp leaves no gap only when the repository lists
            # in datestamp order; otherwise list again from the start (written pages come back unchanged).
            again = state.last_datestamp if state.params.get("ordered") else start
            state.resumption_token, state.restart_from = "", again
            state.save(update_fields=["resumption_token", "restart_from", "updated_at"])
            report.notes.append(
                f"the server refused our resumption token; listing again from {again or 'the start'}"
            )
            hooks.note(report.notes[-1])
            continue
        if oai.error_code:
            raise OaiError(f"OAI-PMH error {oai.error_code}: {oai.error_message} ({page.url})")
        if page.status != 200:
            raise IngestError(f"HTTP {page.status} from {page.url}")
        restarts = 0
        _save_position(state, oai.records, report, oai, keep)
        hooks.advance(len(oai.records))
        if oai.complete_list_size:
            hooks.total(oai.complete_list_size)
        hooks.page_done(report)
        if oai.token is None:
            return
        if max_pages is not None and report.pages >= max_pages:
            report.notes.append(f"stopped after {max_pages} pages (--max-pages); rerun to go on")
            return


def _save_position(
    state: HarvestState,
    entries: list[tuple[str, PaperRecord | None, str]],
    report: IngestReport,
    oai: OaiPage,
    keep: Callable[[PaperRecord], bool] | None,
) -> None:
    """Write a page's records and the position after it in one transaction."""
    records: dict[str, PaperRecord] = {}
    for where, record, reason in entries:
        report.fetched += 1
        if record is None:
            report.add_invalid(where, reason)
        elif keep is not None and not keep(record):
            continue
        elif record.arxiv_id in records:
            report.duplicates += 1
            records[record.arxiv_id] = record
        else:
            records[record.arxiv_id] = record
    stamps = sorted(oai.datestamps)
    ordered = (
        bool(state.params.get("ordered"))
        and oai.datestamps == stamps
        and (not stamps or not state.last_datestamp or stamps[0] >= state.last_datestamp)
    )
    with transaction.atomic():
        counts = upsert_records(list(records.values()))
        state.resumption_token = oai.token or ""
        if stamps:
            state.last_datestamp = max(state.last_datestamp, stamps[-1])
        state.params = {**state.params, "ordered": ordered}
        state.pages += 1
        state.records += len(entries)
        state.complete_list_size = oai.complete_list_size or state.complete_list_size
        state.complete = oai.token is None
        if state.complete:
            state.restart_from = ""
        state.heartbeat_at = timezone.now()
        state.save()
    report.add_counts(counts)
    report.pages += 1
