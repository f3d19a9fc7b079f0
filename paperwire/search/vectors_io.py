"""Vectors given beside an import file (`paperwire import PATH --vectors VECTORS.npy`), and
storing vectors in the database."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from paperwire.papers.bulk import BatchResult
from paperwire.papers.importer import count_rows
from paperwire.papers.models import Paper

from .embedding import DIM, MODEL_NAME, text_hash
from .models import PaperVector

UNIT_TOLERANCE = 0.01  # |norm − 1| allowed: float16 rounding moves a unit vector's norm by < 0.001
CHECK_CHUNK = 20_000  # rows checked at a time, so a big file is never all in memory as float32
STORE_DTYPE = "float16"  # 768 bytes a paper; cosine to the float32 vector stays above 0.99999


class BadVectors(ValueError):
    """A vectors file that does not fit its papers file; the message says why."""


def load_vectors(vectors: Path, papers: Path, records: int | None = None) -> np.ndarray:
    """Check a vectors file against its papers file; return the array (memory-mapped).

    One row per record, DIM columns, finite values, unit length — or BadVectors, before
    anything is written.
    """
    try:
        arr = np.load(vectors, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise BadVectors(f"{vectors}: not a NumPy .npy array ({e})") from None
    if arr.ndim != 2 or arr.shape[1] != DIM:
        raise BadVectors(f"{vectors}: shape {arr.shape}, expected (records, {DIM})")
    if arr.dtype.kind != "f":
        raise BadVectors(f"{vectors}: dtype {arr.dtype}, expected float16 or float32")
    records = count_rows(papers) if records is None else records  # given: the caller counted them
    if arr.shape[0] != records:
        raise BadVectors(
            f"{vectors}: {arr.shape[0]} rows but {papers} has {records} records (one row per record)"
        )
    for start in range(0, arr.shape[0], CHECK_CHUNK):
        chunk = np.asarray(arr[start : start + CHECK_CHUNK], dtype=np.float32)
        finite = np.isfinite(chunk).all(axis=1)
        if not finite.all():
            raise BadVectors(f"{vectors}: row {start + int(np.argmin(finite))} has a NaN or infinite value")
        norms = np.linalg.norm(chunk, axis=1)
        bad = np.abs(norms - 1.0) > UNIT_TOLERANCE
        if bad.any():
            i = int(np.argmax(bad))
            raise BadVectors(f"{vectors}: row {start + i} has length {norms[i]:.4f}, expected unit length")
    return arr


def to_bytes(vector: np.ndarray) -> bytes:
    """Return a vector as stored: little-endian float16."""
    return np.asarray(vector, dtype=np.dtype(STORE_DTYPE).newbyteorder("<")).tobytes()


def store(pairs: Sequence[tuple[int, str, np.ndarray]], *, fresh: bool = False) -> int:
    """Store (paper pk, text hash, vector) rows; return how many changed. Unchanged rows are not
    touched (fresh: the papers had no vector when read, so none is compared)."""
    if not pairs:
        return 0
    new = {pk: (h, to_bytes(v)) for pk, h, v in pairs}
    old: dict[int, tuple[str, bytes]] = {}
    if not fresh:
        old = {
            pk: (h, bytes(data))
            for pk, h, data in PaperVector.objects.filter(paper_id__in=list(new)).values_list(
                "paper_id", "text_hash", "data"
            )
        }
    now = timezone.now()
    changed = [
        PaperVector(
            paper_id=pk, model=MODEL_NAME, dim=DIM, dtype=STORE_DTYPE, data=data, text_hash=h, updated_at=now
        )
        for pk, (h, data) in new.items()
        if old.get(pk) != (h, data)
    ]
    with transaction.atomic():
        PaperVector.objects.bulk_create(
            changed,
            batch_size=2000,  # 7 parameters a row: within SQLite's 32,766
            update_conflicts=True,
            unique_fields=["paper"],
            update_fields=["model", "dim", "dtype", "data", "text_hash", "updated_at"],
        )
    return len(changed)


def _insert_new(rows: list[tuple[int, str, bytes]]) -> None:
    """Write vectors of papers created in this transaction (none can have one): COPY on PostgreSQL."""
    if not rows:
        return
    now = timezone.now()
    table = connection.ops.quote_name(PaperVector._meta.db_table)
    cols = "paper_id, model, dim, dtype, data, text_hash, updated_at"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY text in one piece (write_row escaped each vector byte by byte): bytea as hex,
            # its backslash doubled for COPY; the other fields are ours and need no escaping.
            fixed, when = f"{MODEL_NAME}\t{DIM}\t{STORE_DTYPE}", now.isoformat()
            text = "".join(f"{pk}\t{fixed}\t\\\\x{data.hex()}\t{h}\t{when}\n" for pk, h, data in rows)
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]  # psycopg 3 cursor
                copy.write(text)
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608  # our table
                [(pk, MODEL_NAME, DIM, STORE_DTYPE, data, h, stamp) for pk, h, data in rows],
            )


class VectorFeeder:
    """The importer's on_batch hook: store the given vector of each record just written."""

    def __init__(self, array: np.ndarray) -> None:
        self.array, self.stored = array, 0

    def __call__(self, result: BatchResult, batch: list[tuple[int, str, str, str]]) -> None:
        latest = {a: (row, t, x) for row, a, t, x in batch}  # the last line of an id wins, as in the upsert
        new = [(pk, *latest[a]) for a, pk in result.created.items()]
        if new:
            # Rows in file order read the memory-mapped array forward; float16 stored as given.
            new.sort(key=lambda t: t[1])
            little16 = np.dtype(STORE_DTYPE).newbyteorder("<")
            block = np.asarray(self.array[[row for _, row, _, _ in new]], dtype=little16)
            _insert_new([(pk, text_hash(t, x), block[i].tobytes()) for i, (pk, _, t, x) in enumerate(new)])
            self.stored += len(new)
        others = {a: latest[a] for a in result.others}
        if others:
            pks = dict(Paper.objects.filter(arxiv_id__in=list(others)).values_list("arxiv_id", "pk"))
            self.stored += store(
                [
                    (pks[a], text_hash(t, x), np.asarray(self.array[row], dtype=np.float32))
                    for a, (row, t, x) in others.items()
                    if a in pks
                ]
            )
