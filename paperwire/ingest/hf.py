"""The Hugging Face daily papers list (/api/daily_papers): papers with their upvotes and links."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.conf import settings
from django.db import transaction

from paperwire.papers.fields import InvalidField, abstract_text, iso_datetime, squash, unique
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.records import HubInfo, PaperRecord
from paperwire.papers.upsert import upsert_records

from .client import IngestError, Page, PoliteClient
from .hooks import Hooks
from .report import IngestReport
from .xmlparse import PageError, check_body

PAGE_SIZE = 100  # items per request (the Hub's own default is 50)
MAX_PAGES = 200  # a day or a month never comes near this; it stops a server that pages forever
WEEK = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidField(f"{where} must be an object")
    return value


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidField(f"{key!r} must be a string, not {type(value).__name__}")
    return value.strip()


def _int(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidField(f"{key!r} must be a number")
    return max(int(value), 0)


def _first(paper: dict[str, Any], item: dict[str, Any], key: str) -> Any:
    """Return a field from the nested paper, else from the item (the Hub puts some in either place)."""
    value = paper.get(key)
    return value if value not in (None, "", []) else item.get(key)


def item_record(item: Any) -> PaperRecord:
    """Return the record of one daily-papers item; raise InvalidField for a malformed one."""
    item = _obj(item, "an item")
    paper = _obj(item.get("paper"), "'paper'") or item  # /api/papers/{id} objects are flat
    raw_id = _str(paper, "id")
    if not raw_id:
        raise InvalidField("missing 'paper.id'")
    try:
        arxiv_id = parse_arxiv_id(raw_id).id
    except InvalidArxivId:
        raise InvalidField(f"'paper.id' {raw_id[:80]!r} is not an arXiv id") from None
    title = squash(_str(paper, "title") or _str(item, "title"))
    if not title:
        raise InvalidField("missing 'title'")
    abstract = abstract_text(_str(paper, "summary") or _str(item, "summary"))
    if not abstract:
        raise InvalidField("missing 'summary'")
    published = iso_datetime(_str(paper, "publishedAt"), "paper.publishedAt")
    authors_raw = paper.get("authors")
    if not isinstance(authors_raw, list):
        raise InvalidField("'paper.authors' must be a list")
    authors = unique([squash(_str(_obj(a, "an author"), "name")) for a in authors_raw])
    submitted_raw = _str(item, "publishedAt") if "paper" in item else ""
    submitted_raw = submitted_raw or _str(paper, "submittedOnDailyAt")
    submitted_at = iso_datetime(submitted_raw, "publishedAt") if submitted_raw else None
    by = _obj(item.get("submittedBy") or paper.get("submittedOnDailyBy"), "'submittedBy'")
    keywords = _first(paper, item, "ai_keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise InvalidField("'ai_keywords' must be a list of strings")
    repo, page = _first(paper, item, "githubRepo") or "", _first(paper, item, "projectPage") or ""
    summary = _first(paper, item, "ai_summary") or ""
    if not all(isinstance(v, str) for v in (repo, page, summary)):
        raise InvalidField("'githubRepo', 'projectPage' and 'ai_summary' must be strings")
    hub = HubInfo(
        upvotes=_int(paper.get("upvotes", 0), "upvotes") or 0,
        submitted_at=submitted_at,
        submitter=_str(by, "user") or _str(by, "name"),
        submitter_fullname=_str(by, "fullname"),
        github_repo=repo.strip() if repo.startswith(("https://", "http://")) else "",
        github_stars=_int(_first(paper, item, "githubStars"), "githubStars"),
        project_page=page.strip() if page.startswith(("https://", "http://")) else "",
        ai_summary=squash(summary),
        ai_keywords=unique([squash(k) for k in keywords])[:30],
    )
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        abstract=abstract,
        authors=authors,
        categories=[],  # the Hub does not say; an arXiv ingestion fills them in
        published=published.date(),
        withdrawn=bool(paper.get("withdrawnAt")),
        hub=hub,
    )


def parse_items(page: Page) -> list[Any]:
    """Return the JSON array of one daily-papers page; raise PageError for anything else."""
    where = check_body(page, "a JSON array of daily papers")
    try:
        data = json.loads(page.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise PageError(
            f"malformed or truncated JSON where daily papers were expected: {e} ({where})"
        ) from None
    if page.status != 200:
        message = data.get("error") if isinstance(data, dict) else None
        raise IngestError(f"Hugging Face refused the request: {message or json.dumps(data)[:200]} ({where})")
    if not isinstance(data, list):
        raise PageError(
            f"expected a JSON array of daily papers but got a JSON {type(data).__name__} ({where})"
        )
    return data


def period_params(*, date: dt.date | None = None, week: str = "", month: str = "") -> dict[str, str]:
    """Return the query naming one day, ISO week (YYYY-Www) or month (YYYY-MM); raise IngestError."""
    given = [p for p in (date, week, month) if p]
    if len(given) != 1:
        raise IngestError("name exactly one of --date, --week or --month")
    if date:
        return {"date": date.isoformat()}
    if week:
        if not WEEK.fullmatch(week):
            raise IngestError(f"--week {week!r} is not an ISO week such as 2025-W09")
        return {"week": week}
    if not MONTH.fullmatch(month):
        raise IngestError(f"--month {month!r} is not a month such as 2025-10")
    return {"month": month}


def ingest(
    *, date: dt.date | None = None, week: str = "", month: str = "", hooks: Hooks | None = None
) -> IngestReport:
    """Import one day, week or month of the Hugging Face daily papers list, page by page."""
    hooks = hooks or Hooks()
    report = IngestReport("hf")
    try:
        period = period_params(date=date, week=week, month=month)
    except IngestError as e:
        report.error = str(e)
        return report
    url = settings.HF_URL.rstrip("/") + "/api/daily_papers"
    seen: set[str] = set()
    with PoliteClient(delay=settings.HF_DELAY, on_wait=hooks.note) as client:
        for p in range(MAX_PAGES):
            try:
                page = client.get(url, {**period, "p": p, "limit": PAGE_SIZE}, ok=frozenset({400, 404, 422}))
                items = parse_items(page)
            except IngestError as e:
                report.error = str(e)
                return report
            report.pages += 1
            records: list[PaperRecord] = []
            for i, item in enumerate(items, start=1):
                report.fetched += 1
                hooks.advance(1)
                try:
                    record = item_record(item)
                except InvalidField as e:
                    pid = (
                        item.get("paper", {}).get("id")
                        if isinstance(item, dict) and isinstance(item.get("paper"), dict)
                        else None
                    )
                    report.add_invalid(
                        str(pid)[:80] if isinstance(pid, str) else f"page {p} item {i}", str(e)
                    )
                    continue
                if record.arxiv_id in seen:
                    report.duplicates += 1
                    continue
                seen.add(record.arxiv_id)
                records.append(record)
            with transaction.atomic():
                report.add_counts(upsert_records(records))
            hooks.page_done(report)
            if len(items) < PAGE_SIZE:
                break
        else:
            report.notes.append(f"stopped after {MAX_PAGES} pages")
    return report
