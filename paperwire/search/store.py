"""The index files in the data dir: build, update incrementally, verify, and open for reading.

The database is the source of truth. Each index has a manifest (JSON) beside it that records
its watermark — the latest modified_at (papers) or updated_at (vectors) it has taken in — and
what a reader checks before trusting the files. A run takes in the rows changed after the
watermark, and those changed less than MARGIN before the last run began reading (a transaction
may have stamped them earlier but committed after that run read) unless the side file
NAME.recent.npz — that time, and the rows of that window with their stamps — shows it took in
that very version already: on unchanged data a run reads two columns of the few recent rows
and writes only the side file, so readers keep their opened index. An index that
is missing, damaged or of an old layout is rebuilt from the database; writers take a lock file
so only one writes at a time. Readers keep the opened index for the life of the process and
reopen it when the manifest changes, so web workers pick up every update without a restart.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from paperwire.papers.models import Paper

from . import ann, keyword
from .ann import VectorSearcher
from .models import PaperVector

# Rows changed this long before the watermark are taken in again: a transaction that stamped
# its rows earlier but committed later than the last run is not missed.
MARGIN = dt.timedelta(seconds=30)
CHUNK = 2000
LAYOUT = 2  # vector files: 1 hnswlib (vectors.hnsw), 2 usearch (vectors.usearch)
Progress = Callable[[int], None] | None


@dataclass
class IndexReport:
    keyword_added: int = 0
    keyword_rebuilt: bool = False
    keyword_docs: int = 0
    vectors_added: int = 0
    vectors_rebuilt: bool = False
    vectors_count: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the line a person reads after an index run."""
        kw = "rebuilt" if self.keyword_rebuilt else "updated"
        vec = "rebuilt" if self.vectors_rebuilt else "updated"
        return (
            f"keyword index {kw}: {self.keyword_added} paper(s) written, {self.keyword_docs} in all; "
            f"vector index {vec}: {self.vectors_added} vector(s) written, {self.vectors_count} in all "
            f"({self.seconds:.1f} s)"
        )


def search_dir() -> Path:
    path = Path(settings.DATA_DIR) / "search"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keyword_path() -> Path:
    return search_dir() / "keyword"


def vector_path() -> Path:
    return search_dir() / "vectors.usearch"


def labels_path() -> Path:
    return search_dir() / "vectors.labels.npy"


def matrix_path() -> Path:
    return search_dir() / "vectors.f16.npy"


def vector_files() -> list[Path]:
    return [vector_path(), labels_path(), matrix_path()]


def _manifest_path(name: str) -> Path:
    return search_dir() / f"{name}.json"


def read_manifest(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads(_manifest_path(name).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(name: str, data: dict[str, Any]) -> None:
    path = _manifest_path(name)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


@contextmanager
def write_lock() -> Iterator[None]:
    """Hold the data dir's search write lock (one index writer at a time, across processes)."""
    with open(search_dir() / ".lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _since(manifest: dict[str, Any] | None, read_at: dt.datetime | None) -> dt.datetime | None:
    """Return the time after which a row may not have been taken in by the last run."""
    if not manifest or not manifest.get("watermark"):
        return None
    watermark = dt.datetime.fromisoformat(manifest["watermark"])
    if read_at is None:  # no side file: the margin alone
        return watermark - MARGIN
    # A row not yet visible to the last run committed after it began reading, so it was
    # stamped later than read_at − MARGIN; a row stamped after the watermark is new.
    return min(watermark, read_at - MARGIN)


def _micros(t: dt.datetime) -> int:
    return round(t.timestamp() * 1_000_000)


def _recent_path(name: str) -> Path:
    return search_dir() / f"{name}.recent.npz"


def last_read_at(name: str) -> dt.datetime | None:
    """Return when the last run of index name began reading rows (None when unknown)."""
    return _read_recent(name)[0]


def _read_recent(name: str) -> tuple[dt.datetime | None, dict[int, int]]:
    """Return (when the last run began reading, {pk: stamp in µs} of the rows it took in that
    were stamped within MARGIN before that)."""
    try:
        with np.load(_recent_path(name), allow_pickle=False) as f:
            read_at = dt.datetime.fromtimestamp(int(f["read_at"]) / 1_000_000, tz=dt.UTC)
            pairs = f["pairs"]
            return read_at, dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))
    except (OSError, ValueError, KeyError, IndexError):
        return None, {}  # a lost side file only means the margin's rows are taken in again


def _write_recent(name: str, read_at: dt.datetime, recent: dict[int, int]) -> None:
    pairs = np.array(sorted(recent.items()), dtype=np.int64).reshape(-1, 2)
    path = _recent_path(name)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, read_at=np.int64(_micros(read_at)), pairs=pairs)
    os.replace(tmp, path)


class _Plan:
    """Which rows of qs (stamped by field) a run takes in, and what it remembers for the next one."""

    def __init__(self, name: str, qs: QuerySet[Any], field: str, manifest: dict[str, Any] | None) -> None:
        self.name, self.field = name, field
        self.read_at = timezone.now()  # before any row is read: later commits are stamped after it − MARGIN
        self.cut = _micros(self.read_at - MARGIN)
        last, done = _read_recent(name) if manifest else (None, {})
        self.since = _since(manifest, last)
        self.recent: dict[int, int] = {}
        self.done = done
        self.qs: QuerySet[Any] | None = qs
        if self.since is None:
            return
        self.qs = qs.filter(**{f"{field}__gt": self.since})
        pending = False
        for pk, stamp in self.qs.values_list("pk", field).iterator(chunk_size=CHUNK):
            us = _micros(stamp)
            if us > self.cut:
                self.recent[pk] = us
            pending = pending or done.get(pk) != us
        if not pending:
            self.qs = None

    def wanted(self, pk: int, stamp: dt.datetime) -> bool:
        """Return whether the row pk, stamped stamp, must be taken in (and remember it)."""
        us = _micros(stamp)
        if us > self.cut:
            self.recent[pk] = us
        return self.done.get(pk) != us

    def finish(self, watermark: str) -> dict[str, Any]:
        """Save what the next run must know (after the index files); return the manifest's fields."""
        _write_recent(self.name, self.read_at, self.recent)
        return {"watermark": watermark}


# Keyword index --------------------------------------------------------------------------------

PAPER_FIELDS = ("pk", "arxiv_id", "title", "authors", "abstract", "categories", "listing_day", "modified_at")


def _paper_rows(plan: _Plan) -> Iterator[tuple[Any, ...]]:
    if plan.qs is None:
        return
    for row in plan.qs.order_by("pk").values_list(*PAPER_FIELDS).iterator(chunk_size=CHUNK):
        if plan.wanted(row[0], row[-1]):
            yield row


def keyword_ok(manifest: dict[str, Any] | None) -> bool:
    """Return whether the keyword index on disk is whole and matches its manifest."""
    if not manifest or manifest.get("schema") != keyword.SCHEMA_VERSION:
        return False
    try:
        index = keyword.open_index(keyword_path())
        searcher = index.searcher()
        if searcher.num_docs != manifest.get("docs"):
            return False
        # Read every segment's postings and fast field once, so a damaged file shows here.
        import tantivy

        hits = searcher.search(tantivy.Query.all_query(), limit=1, count=True).hits
        searcher.fast_field_values("pk", [a for _, a in hits])
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def _feed_keyword(
    index: Any, rows: Iterator[tuple[Any, ...]], *, replace: bool, progress: Progress
) -> tuple[int, str]:
    writer = index.writer(keyword.WRITER_HEAP, 1)
    n, watermark = 0, ""
    for pk, arxiv_id, title, authors, abstract, cats, day, modified in rows:
        keyword.write_docs(
            writer,
            [keyword.DocFields(pk, arxiv_id, title, authors or [], abstract, cats or [], day)],
            replace=replace,
        )
        n += 1
        watermark = max(watermark, modified.isoformat())
        if progress and n % 500 == 0:
            progress(500)
    writer.commit()
    writer.wait_merging_threads()
    if progress:
        progress(n % 500)
    return n, watermark


def update_keyword(*, rebuild: bool = False, progress: Progress = None) -> tuple[int, bool, int]:
    """Bring the keyword index up to date; return (papers written, rebuilt?, docs in the index)."""
    with write_lock():
        manifest = read_manifest("keyword")
        if rebuild or not keyword_ok(manifest):
            plan = _Plan("keyword", Paper.objects.all(), "modified_at", None)
            tmp = search_dir() / f"keyword.new{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            index = keyword.open_index(tmp, create=True)
            n, watermark = _feed_keyword(index, _paper_rows(plan), replace=False, progress=progress)
            old = search_dir() / f"keyword.old{os.getpid()}"
            if keyword_path().exists():
                os.replace(keyword_path(), old)
            os.replace(tmp, keyword_path())
            shutil.rmtree(old, ignore_errors=True)
            rebuilt = True
        else:
            assert manifest is not None
            plan = _Plan("keyword", Paper.objects.all(), "modified_at", manifest)
            if plan.qs is None:  # nothing changed: only the time of this run is recorded
                plan.finish(manifest.get("watermark") or "")
                return 0, False, int(manifest.get("docs") or 0)
            index = keyword.open_index(keyword_path())
            n, watermark = _feed_keyword(index, _paper_rows(plan), replace=True, progress=progress)
            watermark = max(watermark, manifest.get("watermark") or "")
            rebuilt = False
        docs = keyword.open_index(keyword_path()).searcher().num_docs
        write_manifest(
            "keyword",
            {
                "schema": keyword.SCHEMA_VERSION,
                **plan.finish(watermark),
                "docs": docs,
                "generation": secrets.token_hex(8),
            },
        )
        return n, rebuilt, docs


# Vector index ---------------------------------------------------------------------------------


def _vector_rows(plan: _Plan) -> Iterator[list[tuple[int, bytes, str, str]]]:
    if plan.qs is None:
        return
    chunk: list[tuple[int, bytes, str, str]] = []
    rows = plan.qs.order_by("pk").values_list("pk", "data", "dtype", "updated_at")
    for pk, data, dtype, updated in rows.iterator(chunk_size=CHUNK):
        if not plan.wanted(pk, updated):
            continue
        chunk.append((pk, bytes(data), dtype, updated.isoformat()))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def vectors_ok(manifest: dict[str, Any] | None) -> bool:
    """Return whether the vector index file is whole and matches its manifest."""
    if not manifest or manifest.get("layout") != LAYOUT:
        return False
    if manifest.get("count") == 0:
        return True
    try:
        # A truncated or replaced file is never handed to usearch; a file of the right size
        # that usearch still refuses is caught where it is opened.
        return [p.stat().st_size for p in vector_files()] == manifest.get("sizes")
    except OSError:
        return False


def decode(chunk: list[tuple[int, bytes, str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Return (labels, float32 matrix) for rows of (pk, bytes, dtype, …)."""
    labels = np.array([r[0] for r in chunk], dtype=np.int64)
    mat = np.stack([np.frombuffer(r[1], dtype=np.dtype(r[2]).newbyteorder("<")) for r in chunk]).astype(
        np.float32
    )
    return labels, mat


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}.npy")
    np.save(tmp, array)
    os.replace(tmp, path)


def save_vector_files(index: Any, labels: np.ndarray, matrix: np.ndarray, run: dict[str, Any]) -> None:
    """Write the graph, the sorted labels and the float16 matrix, then their manifest.

    Each file is written beside its name and renamed over it: a reader that mapped the old
    file keeps reading it (its pages stay until it lets go) and maps the new one when the
    manifest changes.
    """
    (search_dir() / "vectors.hnsw").unlink(missing_ok=True)  # layout 1's graph, now unused
    tmp = vector_path().with_suffix(f".tmp{os.getpid()}")
    ann.save_index(index, tmp)
    os.replace(tmp, vector_path())
    _save_npy(labels_path(), labels)
    _save_npy(matrix_path(), matrix)
    write_manifest(
        "vectors",
        {
            "model": "all-MiniLM-L6-v2",
            "layout": LAYOUT,
            **run,
            "count": len(labels),
            "sizes": [p.stat().st_size for p in vector_files()],
            "generation": secrets.token_hex(8),
        },
    )


def load_vector_files() -> VectorSearcher:
    """Open the vector index files for searching (the matrix memory-mapped)."""
    labels = np.load(labels_path(), mmap_mode="r")
    matrix = np.load(matrix_path(), mmap_mode="r")
    return VectorSearcher(ann.view_index(vector_path()), np.asarray(labels), matrix)


def update_vectors(
    *, rebuild: bool = False, progress: Progress = None, threads: int = -1
) -> tuple[int, bool, int]:
    """Bring the vector index up to date; return (vectors written, rebuilt?, vectors in the index)."""
    with write_lock():
        manifest = read_manifest("vectors")
        rebuilt = rebuild or not vectors_ok(manifest)
        plan = _Plan("vectors", PaperVector.objects.all(), "updated_at", None if rebuilt else manifest)
        old_labels = old_matrix = None
        if rebuilt:
            index = ann.new_index()
            watermark = ""
        else:
            assert manifest is not None
            watermark = manifest.get("watermark") or ""
            if plan.qs is None:  # nothing changed: only the time of this run is recorded
                plan.finish(watermark)
                return 0, False, int(manifest.get("count") or 0)
            if manifest.get("count"):
                index = ann.load_index(vector_path())
                old_labels, old_matrix = np.load(labels_path()), np.load(matrix_path(), mmap_mode="r")
            else:
                index = ann.new_index()
        n = 0
        new_labels: list[np.ndarray] = []
        new_rows: list[np.ndarray] = []
        for chunk in _vector_rows(plan):
            labels, mat = decode(chunk)
            ann.add(index, labels, mat, threads=threads)
            new_labels.append(labels)
            new_rows.append(mat.astype(np.float16))
            n += len(chunk)
            watermark = max(watermark, max(r[3] for r in chunk))
            if progress:
                progress(len(chunk))
        if n or rebuilt or not manifest:
            labels, matrix = ann.merge_matrix(
                old_labels,
                old_matrix,
                np.concatenate(new_labels) if new_labels else np.zeros(0, dtype=np.int64),
                np.concatenate(new_rows) if new_rows else np.zeros((0, ann.DIM), dtype=np.float16),
            )
            save_vector_files(index, labels, matrix, plan.finish(watermark))
            return n, rebuilt, len(labels)
        plan.finish(watermark)
        return n, rebuilt, int(manifest.get("count") or 0)


def update_indexes(*, rebuild: bool = False, progress: Progress = None, threads: int = -1) -> IndexReport:
    """Bring both indexes up to date with the database (rebuild: from scratch)."""
    started = time.monotonic()
    report = IndexReport()
    report.keyword_added, report.keyword_rebuilt, report.keyword_docs = update_keyword(
        rebuild=rebuild, progress=progress
    )
    report.vectors_added, report.vectors_rebuilt, report.vectors_count = update_vectors(
        rebuild=rebuild, progress=progress, threads=threads
    )
    report.seconds = time.monotonic() - started
    return report


# Readers --------------------------------------------------------------------------------------


def _stamp(name: str) -> tuple[str, int, int] | None:
    try:
        st = _manifest_path(name).stat()
    except OSError:
        return None
    return (str(_manifest_path(name)), st.st_mtime_ns, st.st_size)


class Readers:
    """The opened indexes of this process, reopened when their manifest changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keyword: tuple[Any, Any] | None = None  # (stamp, searcher)
        self._vectors: tuple[Any, VectorSearcher | None] | None = None

    def reset(self) -> None:
        """Forget the opened indexes (the next search opens them again)."""
        with self._lock:
            self._keyword = self._vectors = None

    def keyword(self) -> Any:
        """Return a tantivy searcher over the current keyword index, building it when needed."""
        stamp = _stamp("keyword")
        cached = self._keyword
        if cached is not None and stamp is not None and cached[0] == stamp:
            return cached[1]
        with self._lock:
            if stamp is None or not keyword_ok(read_manifest("keyword")):
                update_keyword()
                stamp = _stamp("keyword")
            searcher = keyword.open_index(keyword_path()).searcher()
            self._keyword = (stamp, searcher)
            return searcher

    def vectors(self) -> VectorSearcher | None:
        """Return the vector searcher, or None when no paper has a vector yet."""
        stamp = _stamp("vectors")
        cached = self._vectors
        if cached is not None and stamp is not None and cached[0] == stamp:
            return cached[1]
        with self._lock:
            manifest = read_manifest("vectors")
            if stamp is None or not vectors_ok(manifest):
                update_vectors()
                stamp, manifest = _stamp("vectors"), read_manifest("vectors")
            searcher = None
            if manifest and manifest.get("count"):
                try:
                    searcher = load_vector_files()
                except (OSError, RuntimeError, ValueError):
                    update_vectors(rebuild=True)
                    stamp = _stamp("vectors")
                    searcher = load_vector_files()
            self._vectors = (stamp, searcher)
            return searcher

    def built_vectors(self) -> VectorSearcher | None:
        """Return the vector searcher when its files are built and whole; never build them."""
        stamp = _stamp("vectors")
        cached = self._vectors
        if stamp is None:
            return None
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if not vectors_ok(read_manifest("vectors")):
            return None
        return self.vectors()


readers = Readers()
