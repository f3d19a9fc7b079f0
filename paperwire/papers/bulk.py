"""The bulk path of an import: new papers go in by COPY (PostgreSQL) or executemany (SQLite).

A batch is split by what the database already holds: ids it lacks are written here in one
statement per table, ids whose stored digest matches are left alone, and the rest (a newer
version, a corrected record) go through upsert.upsert_records, whose merge rules decide what
changes. So the result is the upsert's, row for row, at a fraction of the per-row cost.

On PostgreSQL the new rows are COPYed into a temporary staging table and moved with
INSERT … SELECT … ON CONFLICT (arxiv_id) DO NOTHING RETURNING: a paper another writer
inserted meanwhile is not doubled; it goes through the upsert like any existing paper.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import Paper, PaperCategory
from .records import PaperRecord
from .upsert import UpsertCounts, _apply, upsert_records

STAGE = "paperwire_import_stage"  # a temporary table: private to the session, gone with it


@dataclass
class BatchResult:
    """What one batch did: counts, and the pk of each paper it created or changed."""

    counts: UpsertCounts = field(default_factory=UpsertCounts)
    created: dict[str, int] = field(default_factory=dict)  # arxiv id -> pk of papers new here
    others: list[str] = field(default_factory=list)  # ids that existed (changed or not)


@dataclass
class Prepared:
    """A cleaned record's id, digest and row as a new paper (stamps unset), and how to get the
    record back: itself, or (from a parser process, where sending it would cost more than
    parsing it again when it is needed: for a paper already here with other facts) its line."""

    arxiv_id: str
    digest: str
    values: list[Any]
    categories: list[str]
    record: PaperRecord | None = None
    raw: bytes = b""  # the line it was parsed from
    layout: str = ""  # and that line's layout
    copy: str = ""  # PostgreSQL: the row as a line of COPY text, stamps left out (Preparer.copy_columns)
    text: tuple[str, str] = ("", "")  # title and abstract, as stored

    def load(self, parse: Callable[[Prepared], PaperRecord] | None) -> PaperRecord:
        """Return the record (parse: how to parse its line again when it was not kept)."""
        if self.record is not None:
            return self.record
        if parse is None:
            raise ValueError(f"{self.arxiv_id}: no record kept and no way to parse its line")
        return parse(self).clean()


def _columns() -> list[models.Field[Any, Any]]:
    return [f for f in Paper._meta.concrete_fields if not f.primary_key]


def _json(value: Any) -> str:
    """Return value as JSONField stores it (an empty list, as most ai_keywords are, without the encoder)."""
    return "[]" if value == [] else json.dumps(value)


def _adapter(f: models.Field[Any, Any], ops: Any) -> Callable[[Any], Any] | None:
    """Return how a field's Python value becomes what the driver is given, as the ORM would
    (None: as it is)."""
    if isinstance(f, models.JSONField):
        return _json  # what JSONField stores (no custom encoder on Paper)
    if isinstance(f, models.DateTimeField):
        return ops.adapt_datetimefield_value  # type: ignore[no-any-return]  # SQLite: naive UTC text
    if isinstance(f, models.DateField):
        return ops.adapt_datefield_value  # type: ignore[no-any-return]
    return None


class Preparer:
    """Turn records into Prepared rows; made in the thread that owns the connection, usable in any."""

    def __init__(self) -> None:
        cols = _columns()
        self.columns = [str(f.column) for f in cols]
        self.names = [f.attname for f in cols]
        self.title, self.abstract = self.names.index("title"), self.names.index("abstract")
        adapters = [_adapter(f, connection.ops) for f in cols]
        self.stamps = [i for i, f in enumerate(cols) if f.attname in ("created_at", "modified_at")]
        # The stamps are set by stamped(), just before the write: not converted twice.
        self.adapt = [
            (i, conv) for i, conv in enumerate(adapters) if conv is not None and i not in self.stamps
        ]
        self.stamp = adapters[self.stamps[0]] or (lambda v: v)
        # PostgreSQL: each row is also written as COPY text where it is prepared (in the parser
        # process): psycopg's write_row took 30 µs a paper in the process that waits on the database.
        self.copy = connection.vendor == "postgresql"
        self.copy_columns = [c for i, c in enumerate(self.columns) if i not in self.stamps]
        self.unstamped = [i for i in range(len(self.columns)) if i not in self.stamps]
        self.copiers = [(i, _copier(cols[i])) for i in self.unstamped]
        # A plain object with the model's defaults: a Django model instance costs 100 µs to make.
        self.defaults = {f.attname: f.get_default() for f in cols}

    def __call__(self, record: PaperRecord) -> Prepared:
        """Return record (cleaned in place) with its digest and its row as a new paper."""
        record.clean()
        digest = record.content_hash()
        paper = SimpleNamespace(**self.defaults)
        paper.arxiv_id = record.arxiv_id
        _apply(paper, record, None, digest)
        values = [getattr(paper, name) for name in self.names]
        for i, conv in self.adapt:
            if values[i] is not None:
                values[i] = conv(values[i])
        item = Prepared(record.arxiv_id, digest, values, record.categories, record)
        item.text = (values[self.title], values[self.abstract])
        if self.copy:
            item.copy = self.copy_line(item)
        return item

    def copy_line(self, item: Prepared) -> str:
        """Return a prepared row as a line of COPY text, stamps left out."""
        values = item.values
        return "\t".join([copier(values[i]) for i, copier in self.copiers]) + "\n"

    def slim(self, item: Prepared) -> Prepared:
        """Drop what PostgreSQL's write of a new paper does not read (its row is in item.copy)
        before the item crosses from the parser process: it halves what is pickled."""
        if item.copy:
            item.values = []
        return item

    def stamped(self, items: Sequence[Prepared], now: dt.datetime) -> list[Prepared]:
        """Set created_at and modified_at of items' rows to now (one stamp a batch: the indexers
        read modified_at, and the stamp must be close to the commit)."""
        value = self.stamp(now)
        for item in items:
            for i in self.stamps:
                item.values[i] = value
        return list(items)


def _insert_postgres(preparer: Preparer, papers: Sequence[Prepared], now: dt.datetime) -> dict[str, int]:
    """COPY papers into the staging table and move them into papers, stamped now; return
    {arxiv id: pk} of those inserted."""
    table = Paper._meta.db_table
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in preparer.columns)
    staged = ", ".join(quote(c) for c in preparer.copy_columns)
    picked = ", ".join("%s" if i in preparer.stamps else quote(c) for i, c in enumerate(preparer.columns))
    stamp = preparer.stamp(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608  # our table and columns
        )
        cursor.execute(f"TRUNCATE {STAGE}")
        with cursor.copy(f"COPY {STAGE} ({staged}) FROM STDIN") as copy:  # type: ignore[attr-defined]  # psycopg 3 cursor
            copy.write("".join(p.copy or preparer.copy_line(p) for p in papers))
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {picked} FROM {STAGE} "  # noqa: S608  # our table and columns
            "ON CONFLICT (arxiv_id) DO NOTHING RETURNING arxiv_id, id",
            [stamp] * len(preparer.stamps),
        )
        return dict(cursor.fetchall())


def _insert_sqlite(
    cols: list[str], rows: list[tuple[Any, ...]], papers: Sequence[Prepared], now: dt.datetime
) -> dict[str, int]:
    """Insert rows with one executemany; return {arxiv id: pk} of those this call inserted."""
    table = Paper._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (arxiv_id) DO NOTHING",  # noqa: S608  # our table and columns
            rows,
        )
    # A row of the same id that another writer stamped has another modified_at: not ours.
    if not papers:
        return {}
    mine = Paper.objects.filter(arxiv_id__in=[p.arxiv_id for p in papers], modified_at=now)
    return dict(mine.values_list("arxiv_id", "pk"))


def copy_text(value: str) -> str:
    """Return a string as one field of COPY's text format (backslash, tab and line breaks escaped)."""
    # Chained replace, each a C scan: str.translate with a table took 25 µs on an abstract.
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _copy_str(value: str | None) -> str:
    return "\\N" if value is None else copy_text(value)


def _copy_bool(value: bool | None) -> str:
    return "\\N" if value is None else "t" if value else "f"


def _copy_plain(value: Any) -> str:
    """Write numbers, dates and aware datetimes (their offset kept) as their own text."""
    return "\\N" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _copier(f: models.Field[Any, Any]) -> Callable[[Any], str]:
    """Return how a field's prepared value becomes a field of COPY's text format (None as \\N)."""
    if isinstance(f, models.BooleanField):
        return _copy_bool
    if isinstance(f, models.CharField | models.TextField | models.JSONField):  # JSON: already text
        return _copy_str
    return _copy_plain


def _copy_categories(rows: list[tuple[int, str, bool]]) -> None:
    """Write (paper id, code, primary) rows of new papers (COPY on PostgreSQL)."""
    if not rows:
        return
    table = connection.ops.quote_name(PaperCategory._meta.db_table)
    primary = connection.ops.quote_name("primary")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Written as COPY text in one piece: psycopg's write_row took 15 µs a row, and a
            # paper has two categories on average (a fifth of the importer's time).
            text = "".join(f"{pk}\t{copy_text(code)}\t{'t' if first else 'f'}\n" for pk, code, first in rows)
            with cursor.copy(f"COPY {table} (paper_id, code, {primary}) FROM STDIN") as copy:  # type: ignore[attr-defined]  # psycopg 3 cursor
                copy.write(text)
        else:
            cursor.executemany(f"INSERT INTO {table} (paper_id, code, {primary}) VALUES (%s, %s, %s)", rows)  # noqa: S608  # our table and columns


# SQLite during a bulk import: a 256 MiB page cache keeps the indexes' B-trees (arxiv_id,
# listing_day, …) in memory as they grow, and checkpoints every 40 MiB of WAL instead of every
# 4 MiB copy fewer pages twice. Durability stays: WAL with synchronous=NORMAL (a kill -9 loses
# nothing committed). Measured in docs/decisions.md.
SQLITE_BULK = {"cache_size": -262_144, "wal_autocheckpoint": 10_000}


@contextmanager
def bulk_load() -> Iterator[None]:
    """Set SQLite's pragmas for a bulk import on this connection, and put them back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        before = {}
        for name in SQLITE_BULK:
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
        for name, value in SQLITE_BULK.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


def _stored_digests(ids: list[str]) -> dict[str, str]:
    """Return {arxiv id: source digest} of the ids the database holds."""
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of 2,000 placeholders cost 50 µs a paper to build and
        # bind (Django's lookup, then psycopg splitting the query), more than the query itself.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT arxiv_id, source_hash FROM {Paper._meta.db_table} WHERE arxiv_id = ANY(%s)",  # noqa: S608  # our table
                [ids],
            )
            return dict(cursor.fetchall())
    return dict(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "source_hash"))


def write_batch(
    records: Sequence[PaperRecord],
    prepared: Sequence[Prepared] | None = None,
    parse: Callable[[Prepared], PaperRecord] | None = None,
) -> BatchResult:
    """Create or update papers from records (or their Prepared rows) in one transaction, new
    ones in bulk (parse: how to get a record back from its line, for papers already here)."""
    result = BatchResult()
    preparer = Preparer()
    latest: dict[str, Prepared] = {}
    for item in prepared if prepared is not None else [preparer(r) for r in records]:
        latest[item.arxiv_id] = item  # the last record of an id wins, as in the upsert
    if not latest:
        return result
    with transaction.atomic():
        stored = _stored_digests(list(latest))
        now = timezone.now()
        new = [p for a, p in latest.items() if a not in stored]
        changed = [p.load(parse) for a, p in latest.items() if a in stored and stored[a] != p.digest]
        result.counts.unchanged = len(latest) - len(new) - len(changed)
        if new:
            if connection.vendor == "postgresql":
                result.created = _insert_postgres(preparer, new, now)
            else:
                rows = [tuple(p.values) for p in preparer.stamped(new, now)]
                result.created = _insert_sqlite(preparer.columns, rows, new, now)
            _copy_categories(
                [
                    (result.created[p.arxiv_id], code, i == 0)
                    for p in new
                    if p.arxiv_id in result.created
                    for i, code in enumerate(p.categories)
                ]
            )
            changed += [p.load(parse) for p in new if p.arxiv_id not in result.created]  # another writer's
        result.counts.created = len(result.created)
        if changed:
            result.counts.add(upsert_records(changed))
    result.others = [a for a in latest if a not in result.created]
    return result
