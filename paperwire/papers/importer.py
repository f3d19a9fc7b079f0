"""Import JSON Lines files of papers (the sample layout or the Kaggle arXiv snapshot layout)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db import connection, transaction

from .bulk import BatchResult, Prepared, Preparer, bulk_load, write_batch
from .fields import squash, unique
from .ids import InvalidArxivId, parse_arxiv_id
from .models import ImportCheckpoint
from .pipeline import WriteBehind, in_child, read_ahead
from .records import PaperRecord, VersionInfo

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
    resumed: dict[str, tuple[int, int]] = field(default_factory=dict)  # file -> (line, records) done before
    invalid_earlier: int = 0  # invalid lines an earlier, interrupted run read (counted, not listed)

    def summary(self) -> str:
        """Return the one-line summary a person reads at the end of an import."""
        return (
            f"read {self.read}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, invalid {len(self.invalid) + self.invalid_earlier}"
        )


def is_gzip(path: Path) -> bool:
    """Return whether a file is gzip-compressed, by its magic bytes (not its name)."""
    with open(path, "rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def _open_binary(path: Path) -> BinaryIO:
    """Open a plain or gzip-compressed file for reading bytes."""
    if is_gzip(path):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return open(path, "rb")  # noqa: SIM115  # the caller closes it


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


SMALL_FILE = 4 * 2**20  # bytes (on disk) below which a file is parsed in this process: 2,000 papers
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}


def _kaggle_version_date(created: Any) -> str | None:
    if not isinstance(created, str) or not created:
        return None
    # arXiv's own form, "Mon, 2 Apr 2007 19:18:42 GMT", read by hand: email.utils takes 40 µs.
    parts = created.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in MONTHS and len(parts[4]) == 8:
        try:
            hh, mm, ss = (int(x) for x in parts[4].split(":"))
            when = dt.datetime(int(parts[3]), MONTHS[parts[2]], int(parts[1]), hh, mm, ss)  # noqa: DTZ001  # GMT, written with Z
        except ValueError:
            pass
        else:
            return when.isoformat() + "Z"
    try:
        return parsedate_to_datetime(created).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        raise InvalidRecord(f"unreadable version date {created[:40]!r}") from None


def _kaggle_author(parts: Any) -> str:
    if type(parts) is list and len(parts) == 3 and all(type(p) is str for p in parts):
        keyname, forenames, suffix = parts  # arXiv's own shape: the common case, read directly
    elif isinstance(parts, list) and all(isinstance(p, str) for p in parts):
        keyname, forenames, suffix = (list(parts) + ["", "", ""])[:3]
    else:
        raise InvalidRecord("'authors_parsed' must be a list of [keyname, forenames, suffix]")
    return " ".join([p for p in (forenames.strip(), keyname.strip(), suffix.strip()) if p])


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


@dataclass
class Position:
    """Where reading a file stands: bytes, lines and non-blank lines (rows) read."""

    offset: int = 0
    line: int = 0
    row: int = 0


def _lines(path: Path, start: Position) -> Iterator[tuple[Position, bytes | None, str]]:
    """Yield (position after the line, line, "") for each non-blank line of path, from start; at an
    unreadable stretch (position, None, reason) and stop."""
    with _open_binary(path) as f:
        if start.offset:
            f.seek(start.offset)  # gzip: decompresses up to there (about 1 s a GB)
        offset, lineno, row = start.offset, start.line, start.row
        while True:
            try:
                raw = f.readline()
            except (EOFError, OSError, gzip.BadGzipFile) as e:
                yield Position(offset, lineno + 1, row), None, f"unreadable file from here on: {e}"
                return
            if not raw:
                return
            offset += len(raw)
            lineno += 1
            if raw.strip():
                row += 1
                yield Position(offset, lineno, row), raw, ""


def parse_line(raw: bytes, layout: str | None) -> tuple[PaperRecord | None, str, str | None]:
    """Return (record or None, reason, layout) for one line; layout None: detect it from this line."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return None, f"not UTF-8: {e.reason} at byte {e.start}", layout
    except json.JSONDecodeError as e:
        return None, f"bad JSON: {e.msg} at column {e.colno}", layout
    if not isinstance(obj, dict):
        return None, "a line must be a JSON object", layout
    layout = layout or detect_layout(obj)
    try:
        return PARSERS[layout](obj), "", layout
    except InvalidRecord as e:
        return None, str(e), layout


def read_records(
    path: Path, report: ImportReport, start: Position | None = None
) -> Iterator[tuple[Position, PaperRecord | None, str]]:
    """Yield (position after the line, record or None, reason) for each non-blank line of path.

    A line's own row (its vector's row) is the position's row − 1: rows count non-blank lines.
    The first line that parses as an object sets the file's layout.
    """
    layout: str | None = None
    for pos, raw, reason in _lines(path, start or Position()):
        if raw is None:
            yield pos, None, reason
            continue
        record, reason, layout = parse_line(raw, layout)
        if layout is not None:
            report.layouts.setdefault(str(path), layout)
        yield pos, record, reason


def _parsed(
    path: Path, start: Position, prepare: Preparer, keep: bool
) -> Iterator[tuple[Position, Prepared | None, str, str | None]]:
    """Yield (position, prepared row or None, reason, layout) for each line (keep: the record too)."""
    layout: str | None = None
    for pos, raw, reason in _lines(path, start):
        if raw is None:
            yield pos, None, reason, layout
            continue
        record, reason, layout = parse_line(raw, layout)
        if record is None:
            yield pos, None, reason, layout
            continue
        item = prepare(record)
        if not keep:
            item.record, item.raw, item.layout = None, raw, layout or ""
            prepare.slim(item)
        yield pos, item, "", layout


def _parse_again(item: Prepared) -> PaperRecord:
    """Return the record of a prepared row from its line (parsed before in another process)."""
    record, reason, _ = parse_line(item.raw, item.layout)
    if record is None:  # it parsed once: only a changed parser could make this happen
        raise InvalidRecord(reason)
    return record


def count_rows(path: Path) -> int:
    """Return the number of non-blank lines of a file (each is a record, valid or not)."""
    with _open_binary(path) as f:
        return sum(1 for raw in f if raw.strip())


def fingerprint(path: Path) -> str:
    """Return what tells a file apart from an edited one: size, mtime and its first MiB's digest."""
    st = path.stat()
    with open(path, "rb") as f:
        head = hashlib.blake2b(f.read(2**20), digest_size=8).hexdigest()
    return f"{st.st_size}:{st.st_mtime_ns}:{head}"


# The importer's on_batch hook: given what a batch wrote and its (row, arXiv id, title, abstract)
# tuples, it writes what goes beside the papers (vectors) inside the batch's transaction.
BatchHook = Callable[[BatchResult, list[tuple[int, str, str, str]]], None]


def import_files(
    paths: list[Path],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    on_batch: BatchHook | None = None,
) -> ImportReport:
    """Import papers from JSON Lines files; invalid lines are reported and skipped (strict: abort).

    Each batch commits with a checkpoint of the file, so a rerun after a crash or kill goes on
    from the last batch written (strict mode writes all at once and needs none).
    """
    report = ImportReport()
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    with bulk_load(), transaction.atomic() if strict else nullcontext():
        for path in paths:
            report.files += 1
            _import_file(path, report, strict=strict, progress=progress, on_batch=on_batch)
    return report


def _import_file(
    path: Path,
    report: ImportReport,
    *,
    strict: bool,
    progress: Callable[[int], None] | None,
    on_batch: BatchHook | None,
) -> None:
    """Import one file into report, from its checkpoint when an earlier run was cut short."""
    key, mark = str(path.resolve()), fingerprint(path)
    checkpoint = None if strict else ImportCheckpoint.objects.filter(path=key, fingerprint=mark).first()
    start = Position()
    done = {"read": 0, "created": 0, "updated": 0, "unchanged": 0, "invalid": 0}  # this file, all runs
    if checkpoint is not None:
        start = Position(checkpoint.offset, checkpoint.line, checkpoint.row)
        done = {k: getattr(checkpoint, k) for k in done}
        report.resumed[str(path)] = (checkpoint.line, checkpoint.read)
        report.invalid_earlier += checkpoint.invalid
        if progress:
            progress(checkpoint.read)
    size = max(settings.IMPORT_BATCH, 1)
    prepare = Preparer()

    def flush(
        pos: Position,
        batch: list[tuple[int, str, str, str]],
        ready: list[Prepared],
        read: tuple[int, int],
        pending: int,
        last: bool,
    ) -> None:
        """Write one batch, and the checkpoint after it (read: lines and invalid ones up to pos)."""
        done["read"], done["invalid"] = read
        with transaction.atomic():  # the papers, what on_batch writes and the checkpoint: all or none
            result = write_batch([], prepared=ready, parse=_parse_again)
            if on_batch and batch:
                on_batch(result, batch)
            done["created"] += result.counts.created
            done["updated"] += result.counts.updated
            done["unchanged"] += result.counts.unchanged
            if strict:
                pass
            elif last:
                ImportCheckpoint.objects.filter(path=key).delete()
            else:
                ImportCheckpoint.objects.update_or_create(
                    path=key,
                    defaults={
                        "fingerprint": mark,
                        "offset": pos.offset,
                        "line": pos.line,
                        "row": pos.row,
                        **done,
                    },
                )
        if progress:
            progress(pending)

    # A child process parses (a thread unpickles what it sends while this one waits on the
    # database); a small file is parsed here, where starting a process would cost more.
    small = path.stat().st_size < SMALL_FILE
    lines = _parsed(path, start, prepare, keep=small)
    items = read_ahead(lines if small else in_child(lambda: lines))
    # A big file's batches are written behind, by a thread of their own, while the next one is
    # gathered; inside a caller's transaction (strict mode, tests) they are written here, on
    # the connection that holds it.
    behind = None
    if not (small or strict or connection.in_atomic_block):
        behind = WriteBehind(flush, around=bulk_load)
    write = behind.submit if behind else flush
    batch: list[tuple[int, str, str, str]] = []
    ready: list[Prepared] = []
    pos, pending = start, 0
    read, invalid = done["read"], done["invalid"]  # counted here, handed to flush with each batch
    try:
        for pos, item, reason, layout in items:
            if layout is not None:
                report.layouts.setdefault(str(path), layout)
            read += 1
            pending += 1
            if item is None:
                invalid += 1
                report.invalid.append((str(path), pos.line, reason))
                if strict:
                    raise StrictImportError(f"{path}:{pos.line}: {reason} (strict: nothing was imported)")
                continue
            batch.append((pos.row - 1, item.arxiv_id, *item.text))
            ready.append(item)
            if len(batch) >= size:
                write(pos, batch, ready, (read, invalid), pending, False)
                batch, ready, pending = [], [], 0
        write(pos, batch, ready, (read, invalid), pending, True)
    finally:
        if behind:
            behind.close()
    report.read += done["read"]
    report.created += done["created"]
    report.updated += done["updated"]
    report.unchanged += done["unchanged"]
