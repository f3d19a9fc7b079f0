"""Import JSON Lines files of papers (the sample layout or the Kaggle arXiv snapshot layout)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from .fields import squash, unique
from .ids import InvalidArxivId, parse_arxiv_id
from .records import PaperRecord, VersionInfo
from .upsert import UpsertCounts, upsert_records

BATCH = 2000  # records per transaction: big enough for speed, small enough to lose little on a crash
SAMPLE_KEYS = {"id", "title", "abstract", "authors", "categories"}
KAGGLE_KEYS = {"id", "title", "abstract", "authors", "categories", "versions"}


class InvalidRecord(ValueError):
    """A line that cannot become a paper; the message says why."""


class StrictImportError(Exception):
    """Raised in strict mode at the first invalid line; nothing is written."""


@dataclass
class ImportReport:
    files: int = 0
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)
    layouts: dict[str, str] = field(default_factory=dict)  # file -> layout

    def summary(self) -> str:
        """Return the one-line summary a person reads at the end of an import."""
        return (
            f"read {self.read}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, invalid {len(self.invalid)}"
        )


def _open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzip-compressed file as UTF-8 text."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict")  # type: ignore[return-value]
    return open(path, encoding="utf-8", errors="strict")


def _text(obj: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidRecord(f"missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{key!r} must be a string, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise InvalidRecord(f"empty {key!r}")
    return value


def _date(value: Any, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRecord(f"{key!r} must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidRecord(f"{key!r} is not a date: {value[:40]!r}") from None


def _id(obj: dict[str, Any]) -> str:
    raw = obj.get("id")
    if not isinstance(raw, str):
        raise InvalidRecord("missing or non-string 'id'")
    try:
        return parse_arxiv_id(raw).id
    except InvalidArxivId as e:
        raise InvalidRecord(str(e)) from None


def parse_sample(obj: dict[str, Any]) -> PaperRecord:
    """Return the record for one line in the sample layout (id, title, authors list, …)."""
    arxiv_id = _id(obj)
    authors = obj.get("authors")
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InvalidRecord("'authors' must be a list of strings")
    categories = obj.get("categories")
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise InvalidRecord("'categories' must be a list of strings")
    published = _date(obj.get("published"), "published")
    announced = _date(obj.get("announced"), "announced")
    if published is None and announced is None:
        raise InvalidRecord("no date: 'published' and 'announced' are both empty")
    versions = [VersionInfo(1, published.isoformat())] if published else []
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=squash(_text(obj, "title", required=True)),
        abstract=_text(obj, "abstract", required=True),
        authors=unique([a.strip() for a in authors]),
        categories=unique([c.strip() for c in categories]),
        published=published,
        updated=_date(obj.get("updated"), "updated"),
        announced=announced,
        versions=versions,
    )


def _kaggle_version_date(created: Any) -> str | None:
    if not isinstance(created, str) or not created:
        return None
    try:
        return parsedate_to_datetime(created).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        raise InvalidRecord(f"unreadable version date {created[:40]!r}") from None


def _kaggle_author(parts: Any) -> str:
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise InvalidRecord("'authors_parsed' must be a list of [keyname, forenames, suffix]")
    keyname, forenames, suffix = (list(parts) + ["", "", ""])[:3]
    return " ".join(p.strip() for p in (forenames, keyname, suffix) if p and p.strip())


def parse_kaggle(obj: dict[str, Any]) -> PaperRecord:
    """Return the record for one line of the Kaggle arXiv snapshot layout."""
    arxiv_id = _id(obj)
    categories = obj.get("categories")
    if not isinstance(categories, str):
        raise InvalidRecord("'categories' must be a space-separated string")
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = [_kaggle_author(p) for p in parsed]
    else:
        raw = _text(obj, "authors", required=True)
        authors = [a.strip() for a in raw.replace(" and ", ", ").split(",")]
    raw_versions = obj.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise InvalidRecord("'versions' must be a non-empty list")
    versions = []
    for i, v in enumerate(raw_versions, start=1):
        if not isinstance(v, dict):
            raise InvalidRecord("each of 'versions' must be an object")
        label = v.get("version", f"v{i}")
        try:
            number = int(str(label).lstrip("v"))
        except ValueError:
            raise InvalidRecord(f"bad version label {str(label)[:20]!r}") from None
        versions.append(VersionInfo(number, _kaggle_version_date(v.get("created")), v.get("size") or None))
    versions.sort(key=lambda v: v.version)
    published = dt.date.fromisoformat(versions[0].date[:10]) if versions[0].date else None
    latest = dt.date.fromisoformat(versions[-1].date[:10]) if versions[-1].date else None
    if published is None:
        raise InvalidRecord("no date for the first version")
    comments = _text(obj, "comments")
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=squash(_text(obj, "title", required=True)),
        abstract=_text(obj, "abstract", required=True),
        authors=unique(authors),
        categories=unique(categories.split()),
        published=published,
        updated=latest if len(versions) > 1 else None,
        versions=versions,
        latest_version=versions[-1].version,
        comments=comments,
        journal_ref=_text(obj, "journal-ref"),
        doi=_text(obj, "doi"),
        license=_text(obj, "license"),
        submitter=_text(obj, "submitter"),
        withdrawn="withdrawn" in comments.lower() and "paper has been withdrawn" in comments.lower(),
    )


def detect_layout(obj: dict[str, Any]) -> str:
    """Return "kaggle" or "sample" for a parsed line, by the keys it carries."""
    if "authors_parsed" in obj or "versions" in obj or "update_date" in obj:
        return "kaggle"
    return "sample"


PARSERS: dict[str, Callable[[dict[str, Any]], PaperRecord]] = {"sample": parse_sample, "kaggle": parse_kaggle}


def read_records(path: Path, report: ImportReport) -> Iterator[tuple[int, PaperRecord | None, str]]:
    """Yield (line number, record or None, reason) for each non-blank line of path."""
    layout: str | None = None
    with _open_text(path) as f:
        lineno = 0
        while True:
            try:
                line = f.readline()
            except (UnicodeDecodeError, EOFError, OSError, gzip.BadGzipFile) as e:
                yield lineno + 1, None, f"unreadable file from here on: {e}"
                return
            if not line:
                return
            lineno += 1
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield lineno, None, f"bad JSON: {e.msg} at column {e.colno}"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, "a line must be a JSON object"
                continue
            if layout is None:
                layout = detect_layout(obj)
                report.layouts[str(path)] = layout
            try:
                yield lineno, PARSERS[layout](obj), ""
            except InvalidRecord as e:
                yield lineno, None, str(e)


def import_files(
    paths: list[Path],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    on_batch: Callable[[list[PaperRecord]], None] | None = None,
) -> ImportReport:
    """Import papers from JSON Lines files; invalid lines are reported and skipped (strict: abort)."""
    report = ImportReport()
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    counts = UpsertCounts()

    def flush(batch: list[PaperRecord]) -> None:
        if batch:
            counts.add(upsert_records(batch))
            if on_batch:
                on_batch(batch)
            batch.clear()

    with transaction.atomic() if strict else nullcontext():
        for path in paths:
            report.files += 1
            batch: list[PaperRecord] = []
            for lineno, record, reason in read_records(path, report):
                report.read += 1
                if progress:
                    progress(1)
                if record is None:
                    report.invalid.append((str(path), lineno, reason))
                    if strict:
                        raise StrictImportError(f"{path}:{lineno}: {reason} (strict: nothing was imported)")
                    continue
                batch.append(record)
                if len(batch) >= BATCH:
                    flush(batch)
            flush(batch)
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged
    return report
