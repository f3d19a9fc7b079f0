"""The vector index: usearch's HNSW graph over unit vectors (inner product = cosine).

Readers open the index file as a view (memory-mapped, never copied), so every web worker of a
node shares one copy of the graph through the page cache; the writer loads it, adds to it and
saves a new file beside it. Below EXACT_BELOW vectors an exact dot-product scan is as fast and
always right, so small deployments search exactly; the graph file is still built, so nothing
changes as they grow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from usearch.index import Index, MetricKind
from usearch.index import search as usearch_exact

DIM = 384
M = 16  # graph degree: 16 keeps recall@10 ≥ 0.95 at 1M with a modest memory cost
EF_CONSTRUCTION = 100
EF_SEARCH = 128  # candidates kept while searching; raised to k when k is larger
EXACT_BELOW = 20_000  # vectors: below this an exact scan takes about a millisecond
# A filtered search whose passing papers lie far from the query scores them exactly, this many
# rows at a time: each chunk is copied out of the memory-mapped matrix as float16 (38 MB) and
# scored by usearch's SIMD kernels (29k rows: 12 ms copy + 10 ms scoring, where numpy's
# float16 → float32 conversion alone took 80–170 ms).
EXACT_CHUNK = 50_000
STORE_DTYPE = "f16"  # in the graph file: half the size of f32, recall@10 unchanged at 135k


def new_index() -> Index:
    """Return an empty index (it grows as vectors are added)."""
    return Index(
        ndim=DIM,
        metric="ip",
        dtype=STORE_DTYPE,
        connectivity=M,
        expansion_add=EF_CONSTRUCTION,
        expansion_search=EF_SEARCH,
    )


def load_index(path: Path) -> Index:
    """Load an index file into memory to add to it; raises on a missing or damaged file."""
    index = new_index()
    index.load(str(path))
    index.expansion_add = EF_CONSTRUCTION  # type: ignore[misc]  # a setter mypy misses
    return index


def view_index(path: Path) -> Index:
    """Map an index file read-only (pages shared between processes); raises on a damaged file."""
    index = Index.restore(str(path), view=True)
    if index is None or index.ndim != DIM:
        raise ValueError(f"{path}: not a {DIM}-dimension usearch index")
    index.expansion_search = EF_SEARCH  # type: ignore[misc]  # not kept in the file
    return index


def save_index(index: Index, path: Path) -> None:
    index.save(str(path))


def add(index: Index, labels: np.ndarray, vectors: np.ndarray, threads: int = 1) -> None:
    """Add (or replace) vectors under labels."""
    if not len(labels):
        return
    keys = np.asarray(labels, dtype=np.uint64)
    present = np.asarray(index.contains(keys), dtype=bool)
    if present.any():
        index.remove(keys[present])  # usearch's high-level index refuses a key twice
    index.add(keys, np.asarray(vectors, dtype=np.float32), threads=max(threads, 0))


class VectorSearcher:
    """Answer nearest-neighbour queries from an opened index (exactly when it is small).

    labels (sorted) and matrix (float16, row i = labels[i]) are the same vectors as the graph,
    memory-mapped from the data dir: web workers share their pages, and a filtered search can
    score any subset exactly without copying vectors out of the graph one by one.
    """

    def __init__(self, index: Index, labels: np.ndarray, matrix: np.ndarray) -> None:
        self.index, self.labels, self.matrix = index, labels, matrix
        self.count = len(labels)
        self.small = np.asarray(matrix, dtype=np.float32) if self.count < EXACT_BELOW else None

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Return [(label, cosine)] of the k nearest vectors, nearest first."""
        k = min(k, self.count)
        if k <= 0:
            return []
        if self.small is not None:
            return exact(self.small, self.labels, vector, k)
        self.index.expansion_search = max(EF_SEARCH, k)  # type: ignore[misc]
        found = self.index.search(np.asarray(vector, dtype=np.float32), k, threads=1)
        return [(int(lab), float(1.0 - d)) for lab, d in zip(found.keys, found.distances, strict=True)]

    def search_among(self, vector: np.ndarray, k: int, allowed: list[int]) -> list[tuple[int, float]]:
        """Return the k nearest vectors whose labels are in allowed (scored exactly, chunk by chunk).

        The engine comes here only when a deeper graph search found too few passing papers,
        that is when they lie far from the query; a graph walk would visit most of the graph.
        """
        labels, rows = self._rows(allowed)
        query = np.asarray(vector, dtype=np.float32)
        best: list[tuple[int, float]] = []
        for start in range(0, len(rows), EXACT_CHUNK):
            part = rows[start : start + EXACT_CHUNK]
            found = usearch_exact(
                np.asarray(self.matrix[part]), query, min(k, len(part)), MetricKind.IP, exact=True, threads=1
            )
            hits = [
                (int(labels[start + i]), float(1.0 - d))
                for i, d in zip(found.keys, found.distances, strict=True)
            ]
            best = sorted(best + hits, key=lambda x: -x[1])[:k]
        return best

    def _rows(self, labels: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Return (the labels that have a vector, sorted; their rows in the matrix)."""
        wanted = np.unique(np.asarray(labels, dtype=np.int64))
        if not self.count or not len(wanted):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.labels, wanted), self.count - 1)
        found = self.labels[rows] == wanted
        return wanted[found], rows[found]

    def vectors(self, labels: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Return (the labels that have a vector, their vectors as float32)."""
        found, rows = self._rows(labels)
        return found, np.asarray(self.matrix[rows], dtype=np.float32).reshape(-1, DIM)


def merge_matrix(
    old_labels: np.ndarray | None, old_matrix: np.ndarray | None, labels: np.ndarray, matrix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (sorted labels, float16 rows) of old with labels/matrix added or replacing theirs.

    A day's update adds papers whose labels (pks) follow every old one and replaces none: then
    the old rows are copied once, as they are. Selecting and reordering them every time (three
    copies of a 1.9 GB matrix at 2.5M papers) took 20 of an update's 53 s.
    """
    matrix = np.asarray(matrix, dtype=np.float16)
    if old_labels is not None and old_matrix is not None and len(old_labels):
        replaced = np.isin(old_labels, labels)
        if replaced.any():
            old_labels, old_matrix = old_labels[~replaced], old_matrix[~replaced]
        labels = np.concatenate([old_labels, labels])
        matrix = np.concatenate([old_matrix, matrix]) if len(matrix) else np.asarray(old_matrix)
    if len(labels) > 1 and not bool((labels[1:] > labels[:-1]).all()):
        order = np.argsort(labels, kind="stable")
        labels, matrix = labels[order], matrix[order]
    return np.asarray(labels, dtype=np.int64), np.asarray(matrix, dtype=np.float16)


def exact(matrix: np.ndarray, labels: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Return [(label, cosine)] of the k best rows of matrix by dot product, best first."""
    scores = matrix @ np.asarray(vector, dtype=matrix.dtype)
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(labels[i]), float(scores[i])) for i in top]
