"""Build a set of SIZE papers from the shared sample's real records, with new ids and lightly
varied text, and its vectors (the sample's own, row for row), for bench/scale.py.

    python bench/scale_data.py SIZE OUT_DIR   # writes OUT_DIR/papers-SIZE.jsonl(.npy)

Copy 0 is the sample itself; copy k ≥ 1 gives each record an old-style id in an archive of its
own (xb-…/YYMMNNN: the id grammar has room for any number of them), the title " (variant k)",
and the abstract's sentences rotated by k. Dates stay, so each listing day carries about
SIZE / 114,557 times the sample's papers, as all of arXiv would. Records are picked evenly
across the sample (not its first ids), so every month grows alike.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from _setup import SAMPLE

VECTORS = SAMPLE.with_name("arxiv-sample.minilm-f16.npy")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def letters(n: int) -> str:
    """Return n in base 26 as lowercase letters (0 → a)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
        if n == 0:
            return out
        n -= 1


def new_id(arxiv_id: str, copy: int) -> str:
    """Return the id of a record's copy: old-style, in an archive named after the copy."""
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/")
        return f"x{letters(copy)}-{archive}/{number}"
    yymm, num = arxiv_id.split(".")
    # YYMM.NNNNN → xK-<num // 1000 in letters>/YYMM<num % 1000>: unique per id and copy.
    return f"x{letters(copy)}-{letters(int(num) // 1000)}/{yymm}{int(num) % 1000:03d}"


def vary(record: dict, copy: int) -> dict:
    """Return the record's copy k: new id, title marked, abstract's sentences rotated."""
    if copy == 0:
        return record
    sentences = SENTENCE.split(record["abstract"])
    k = copy % len(sentences)
    return {
        **record,
        "id": new_id(record["id"], copy),
        "title": f"{record['title']} (variant {copy})",
        "abstract": " ".join(sentences[k:] + sentences[:k]),
    }


def picked(size: int, total: int) -> Iterator[tuple[int, int]]:
    """Yield (copy, line) pairs: size of them, spread evenly over the sample's lines."""
    copies = math.ceil(size / total)
    step = copies * total / size  # ≥ 1: take every step-th of the copies' interleaved lines
    for j in range(size):
        g = int(j * step)
        yield g % copies, g // copies


def build(size: int, out: Path) -> tuple[Path, Path]:
    """Write papers-SIZE.jsonl and papers-SIZE.npy under out (kept when already there)."""
    out.mkdir(parents=True, exist_ok=True)
    papers, vectors = out / f"papers-{size}.jsonl", out / f"papers-{size}.npy"
    if papers.exists() and vectors.exists():
        return papers, vectors
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    matrix = np.load(VECTORS, mmap_mode="r")
    chosen = sorted(picked(size, len(records)))  # copy by copy, in line order
    rows = np.fromiter((line for _, line in chosen), dtype=np.int64, count=len(chosen))
    tmp = papers.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for copy, line in chosen:
            f.write(json.dumps(vary(records[line], copy), ensure_ascii=False) + "\n")
    np.save(vectors, np.asarray(matrix[rows]))
    tmp.rename(papers)
    return papers, vectors


if __name__ == "__main__":
    built = build(int(sys.argv[1]), Path(sys.argv[2]))
    print(*built)
