"""Vectors given beside an import file (`paperwire import PATH --vectors VECTORS.npy`), and
storing vectors in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.importer import _open_text
from paperwire.papers.models import Paper
from paperwire.papers.records import PaperRecord

from .embedding import DIM, MODEL_NAME, text_hash
from .models import PaperVector

UNIT_TOLERANCE = 0.01  # |norm − 1| allowed: float16 rounding moves a unit vector's norm by < 0.001
CHECK_CHUNK = 20_000  # rows checked at a time, so a big file is never all in memory as float32
STORE_DTYPE = "float16"  # 768 bytes a paper; cosine to the float32 vector stays above 0.99999


class BadVectors(ValueError):
    """A vectors file that does not fit its papers file; the message says why."""


def _ids_by_line(path: Path) -> tuple[int, dict[str, int]]:
    """Return (number of records, {arXiv id: row}) for a JSON Lines file; row i = i-th non-blank line."""
    rows: dict[str, int] = {}
    n = 0
    with _open_text(path) as f:
        for line in f:
            if not line.strip():
                continue
            try:
                raw = json.loads(line).get("id")
                rows[parse_arxiv_id(str(raw)).id] = n  # the last line of an id wins, as in the upsert
            except (ValueError, AttributeError, InvalidArxivId):
                pass  # the importer reports the line; it has a row all the same
            n += 1
    return n, rows


def load_vectors(vectors: Path, papers: Path) -> tuple[np.ndarray, dict[str, int]]:
    """Check a vectors file against its papers file; return (array, {arXiv id: row}).

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
    records, rows = _ids_by_line(papers)
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
    return arr, rows


def to_bytes(vector: np.ndarray) -> bytes:
    """Return a vector as stored: little-endian float16."""
    return np.asarray(vector, dtype=np.dtype(STORE_DTYPE).newbyteorder("<")).tobytes()


def store(pairs: Sequence[tuple[int, str, np.ndarray]]) -> int:
    """Store (paper pk, text hash, vector) rows; return how many changed. Unchanged rows are not touched."""
    if not pairs:
        return 0
    new = {pk: (h, to_bytes(v)) for pk, h, v in pairs}
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
            batch_size=500,
            update_conflicts=True,
            unique_fields=["paper"],
            update_fields=["model", "dim", "dtype", "data", "text_hash", "updated_at"],
        )
    return len(changed)


class VectorFeeder:
    """The importer's on_batch hook: store the given vector of each record just upserted."""

    def __init__(self, array: np.ndarray, rows: dict[str, int]) -> None:
        self.array, self.rows, self.stored = array, rows, 0

    def __call__(self, batch: list[PaperRecord]) -> None:
        wanted = {r.arxiv_id: r for r in batch if r.arxiv_id in self.rows}
        pks = dict(Paper.objects.filter(arxiv_id__in=list(wanted)).values_list("arxiv_id", "pk"))
        pairs = [
            (pks[a], text_hash(r.title, r.abstract), np.asarray(self.array[self.rows[a]], dtype=np.float32))
            for a, r in wanted.items()
            if a in pks
        ]
        self.stored += store(pairs)
