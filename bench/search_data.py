"""Shared by the search benchmarks: the sample (and its vectors), built into index files.

The index files are written with paperwire's own search modules (the same schema, analyzers,
HNSW parameters and manifests as `paperwire index`), straight from the sample file, with the
line number + 1 as the paper key, so a million-paper run needs no database.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERWIRE_SHARED", ROOT.parent / "shared")) / "data"
SAMPLE = SHARED / "arxiv-sample.jsonl.gz"
VECTORS = SHARED / "arxiv-sample.minilm-f16.npy"


def setup_django(data_dir: Path | None = None) -> Path:
    """Configure paperwire's settings with a fresh data dir (SQLite in it); return the dir."""
    data = data_dir or Path(tempfile.mkdtemp(prefix="pw-bench-"))
    os.environ["PAPERWIRE_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return data


def load_sample(limit: int | None = None) -> list[dict]:
    rows = []
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows


def load_vectors() -> np.ndarray:
    return np.load(VECTORS, mmap_mode="r")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def synthetic(
    rows: list[dict], vectors: np.ndarray, total: int, seed: int = 7
) -> Iterator[tuple[dict, np.ndarray]]:
    """Yield total (paper, vector) pairs: the sample itself, then perturbed copies of it.

    A copy keeps a paper's words but rotates its abstract's sentences and drops a tenth of its
    title words; its vector is the original plus Gaussian noise (cosine ≈ 0.9 to it), renormalised.
    """
    rng = np.random.default_rng(seed)
    n = len(rows)
    for i in range(total):
        src = i % n
        row, vec = rows[src], np.asarray(vectors[src], dtype=np.float32)
        if i >= n:
            copy = i // n
            sentences = row["abstract"].split(". ")
            k = copy % max(len(sentences), 1)
            words = [w for j, w in enumerate(row["title"].split()) if (j + copy) % 10]
            row = {
                **row,
                "id": f"{row['id']}#{copy}",
                "title": " ".join(words) or row["title"],
                "abstract": ". ".join(sentences[k:] + sentences[:k]),
            }
            vec = vec + rng.normal(0, 0.025, vec.shape).astype(np.float32)
            vec /= np.linalg.norm(vec)
        yield row, vec


def keyword_document(pk: int, row: dict):  # noqa: ANN201  # tantivy's Document, imported late
    """Return the keyword index document of a sample row stored under pk."""
    import datetime as dt

    from paperwire.search import keyword

    day = row.get("announced") or row.get("published")
    return keyword.document(
        keyword.DocFields(
            pk,
            row["id"],
            " ".join(row["title"].split()),
            row["authors"],
            row["abstract"],
            row["categories"],
            dt.date.fromisoformat(day) if day else None,
        )
    )


def build_indexes(pairs: Iterator[tuple[dict, np.ndarray]], total: int, threads: int = 1) -> dict[str, float]:
    """Write the keyword and vector index files for pairs; return timings and sizes."""
    from paperwire.search import ann, keyword
    from paperwire.search.store import (
        keyword_path,
        save_vector_files,
        search_dir,
        vector_files,
        write_manifest,
    )

    index = keyword.open_index(keyword_path(), create=True)
    writer = index.writer(keyword.WRITER_HEAP, 1)
    hnsw = ann.new_index()
    t_kw = t_vec = 0.0
    labels: list[int] = []
    batch: list[np.ndarray] = []
    matrix = np.zeros((total, ann.DIM), dtype=np.float16)

    def flush() -> float:
        started = time.perf_counter()
        ann.add(hnsw, np.array(labels, dtype=np.int64), np.stack(batch), threads=threads)
        labels.clear()
        batch.clear()
        return time.perf_counter() - started

    for pk, (row, vec) in enumerate(pairs, start=1):
        started = time.perf_counter()
        writer.add_document(keyword_document(pk, row))
        t_kw += time.perf_counter() - started
        labels.append(pk)
        batch.append(vec)
        matrix[pk - 1] = vec
        if len(labels) >= 10_000:
            t_vec += flush()
            print(f"  indexed {pk:,} papers ({t_kw:.0f} s keyword, {t_vec:.0f} s vectors)", file=sys.stderr)
    if labels:
        t_vec += flush()
    started = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    t_kw += time.perf_counter() - started
    started = time.perf_counter()
    save_vector_files(hnsw, np.arange(1, total + 1, dtype=np.int64), matrix, {"watermark": ""})
    t_vec += time.perf_counter() - started
    docs = keyword.open_index(keyword_path()).searcher().num_docs
    write_manifest(
        "keyword",
        {"schema": keyword.SCHEMA_VERSION, "watermark": "", "docs": docs, "generation": secrets.token_hex(8)},
    )
    kw_bytes = sum(f.stat().st_size for f in keyword_path().iterdir())
    return {
        "keyword_s": t_kw,
        "vector_s": t_vec,
        "keyword_mib": kw_bytes / 2**20,
        "vector_mib": sum(p.stat().st_size for p in vector_files()) / 2**20,
        "docs": docs,
        "dir": str(search_dir()),
    }


def build_keyword(rows: list[dict]) -> None:
    """Write the keyword index files alone for the sample rows (pks are line numbers + 1)."""
    import shutil

    from paperwire.search import keyword
    from paperwire.search.store import keyword_path, write_manifest

    shutil.rmtree(keyword_path(), ignore_errors=True)
    index = keyword.open_index(keyword_path(), create=True)
    writer = index.writer(keyword.WRITER_HEAP, 1)
    for pk, row in enumerate(rows, start=1):
        writer.add_document(keyword_document(pk, row))
    writer.commit()
    writer.wait_merging_threads()
    docs = keyword.open_index(keyword_path()).searcher().num_docs
    write_manifest(
        "keyword",
        {"schema": keyword.SCHEMA_VERSION, "watermark": "", "docs": docs, "generation": secrets.token_hex(8)},
    )


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))
