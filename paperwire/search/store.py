"""The index files in the data dir: build, update incrementally, verify, and open for reading.

The database is the source of truth. Each index has a manifest (JSON) beside it that records
its watermark — the latest modified_at (papers) or updated_at (vectors) it has taken in — and
what a reader checks before trusting the files. An index that is missing, damaged or of an old
layout is rebuilt from the database; writers take a lock file so only one writes at a time.
Readers keep the opened index for the life of the process and reopen it when the manifest
changes, so web workers pick up every update without a restart.
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

from paperwire.papers.models import Paper

from . import ann, keyword
from .ann import VectorSearcher
from .models import PaperVector

# Rows changed this long before the watermark are taken in again: a transaction that stamped
# its rows earlier but committed later than the last run is not missed.
MARGIN = dt.timedelta(seconds=30)
CHUNK = 2000
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
    return search_dir() / "vectors.hnsw"


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


def _since(manifest: dict[str, Any] | None) -> dt.datetime | None:
    if not manifest or not manifest.get("watermark"):
        return None
    return dt.datetime.fromisoformat(manifest["watermark"]) - MARGIN


# Keyword index --------------------------------------------------------------------------------

PAPER_FIELDS = ("pk", "arxiv_id", "title", "authors", "abstract", "categories", "listing_day", "modified_at")


def _paper_rows(since: dt.datetime | None) -> Iterator[tuple[Any, ...]]:
    qs = Paper.objects.all()
    if since is not None:
        qs = qs.filter(modified_at__gte=since)
    yield from qs.order_by("pk").values_list(*PAPER_FIELDS).iterator(chunk_size=CHUNK)


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
            tmp = search_dir() / f"keyword.new{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            index = keyword.open_index(tmp, create=True)
            n, watermark = _feed_keyword(index, _paper_rows(None), replace=False, progress=progress)
            old = search_dir() / f"keyword.old{os.getpid()}"
            if keyword_path().exists():
                os.replace(keyword_path(), old)
            os.replace(tmp, keyword_path())
            shutil.rmtree(old, ignore_errors=True)
            rebuilt = True
        else:
            assert manifest is not None
            index = keyword.open_index(keyword_path())
            n, watermark = _feed_keyword(
                index, _paper_rows(_since(manifest)), replace=True, progress=progress
            )
            watermark = max(watermark, manifest.get("watermark") or "")
            rebuilt = False
        docs = keyword.open_index(keyword_path()).searcher().num_docs
        write_manifest(
            "keyword",
            {
                "schema": keyword.SCHEMA_VERSION,
                "watermark": watermark,
                "docs": docs,
                "generation": secrets.token_hex(8),
            },
        )
        return n, rebuilt, docs


# Vector index ---------------------------------------------------------------------------------


def _vector_rows(since: dt.datetime | None) -> Iterator[list[tuple[int, bytes, str, str]]]:
    qs = PaperVector.objects.all()
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    chunk: list[tuple[int, bytes, str, str]] = []
    for pk, data, dtype, updated in (
        qs.order_by("pk").values_list("pk", "data", "dtype", "updated_at").iterator(chunk_size=CHUNK)
    ):
        chunk.append((pk, bytes(data), dtype, updated.isoformat()))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def vectors_ok(manifest: dict[str, Any] | None) -> bool:
    """Return whether the vector index file is whole and matches its manifest."""
    if not manifest:
        return False
    if manifest.get("count") == 0:
        return True
    try:
        # A truncated or replaced file is never handed to hnswlib; a file of the right size
        # that hnswlib still refuses is caught where it is loaded.
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


def save_vector_files(index: Any, labels: np.ndarray, matrix: np.ndarray, watermark: str) -> None:
    """Write the graph, the sorted labels and the float16 matrix, then their manifest."""
    tmp = vector_path().with_suffix(f".tmp{os.getpid()}")
    index.save_index(str(tmp))
    os.replace(tmp, vector_path())
    _save_npy(labels_path(), labels)
    _save_npy(matrix_path(), matrix)
    write_manifest(
        "vectors",
        {
            "model": "all-MiniLM-L6-v2",
            "watermark": watermark,
            "count": len(labels),
            "sizes": [p.stat().st_size for p in vector_files()],
            "generation": secrets.token_hex(8),
        },
    )


def load_vector_files() -> VectorSearcher:
    """Open the vector index files for searching (the matrix memory-mapped)."""
    labels = np.load(labels_path(), mmap_mode="r")
    matrix = np.load(matrix_path(), mmap_mode="r")
    return VectorSearcher(ann.load_index(vector_path()), np.asarray(labels), matrix)


def update_vectors(
    *, rebuild: bool = False, progress: Progress = None, threads: int = -1
) -> tuple[int, bool, int]:
    """Bring the vector index up to date; return (vectors written, rebuilt?, vectors in the index)."""
    with write_lock():
        manifest = read_manifest("vectors")
        rebuilt = rebuild or not vectors_ok(manifest)
        old_labels = old_matrix = None
        if rebuilt:
            index = ann.new_index(PaperVector.objects.count())
            watermark = ""
        else:
            assert manifest is not None
            if manifest.get("count"):
                index = ann.load_index(vector_path())
                old_labels, old_matrix = np.load(labels_path()), np.load(matrix_path(), mmap_mode="r")
            else:
                index = ann.new_index(0)
            watermark = manifest.get("watermark") or ""
        n = 0
        new_labels: list[np.ndarray] = []
        new_rows: list[np.ndarray] = []
        for chunk in _vector_rows(None if rebuilt else _since(manifest)):
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
            save_vector_files(index, labels, matrix, watermark)
            return n, rebuilt, len(labels)
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


readers = Readers()
