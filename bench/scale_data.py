"""Build a set of SIZE papers from the shared sample's real records, with new ids and lightly
varied text, and its vectors (the sample's own, row for row), for bench/scale.py.

    python bench/scale_data.py SIZE OUT_DIR [--layout kaggle|sample] [--gzip]
    # writes OUT_DIR/papers-SIZE.kaggle.jsonl (or .sample.jsonl) and papers-SIZE.npy

The Kaggle layout is the arXiv metadata snapshot's (id, submitter, authors, title, comments,
journal-ref, doi, report-no, categories, license, abstract, versions[{version, created}],
update_date, authors_parsed): what `paperwire import` reads when loading all of arXiv. v1 is
dated by the sample's `published` (else `announced`), v2 by its `updated` when set.

Copy 0 is the sample itself; copy k ≥ 1 gives each record an old-style id in an archive of its
own (xb-…/YYMMNNN: the id grammar has room for any number of them), the title " (variant k)",
and the abstract's sentences rotated by k. Dates stay, so each listing day carries about
SIZE / 114,557 times the sample's papers, as all of arXiv would. Records are picked evenly
across the sample (not its first ids), so every month grows alike.

It streams: one pass over the sample per copy, lines written as they are made and vectors
into a memory-mapped .npy, so 2.5M papers (about 4.4 GB of JSON and 1.9 GB of vectors) need
no more memory than the sample's vectors (88 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import re
import shutil
import time
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
from _setup import SAMPLE

VECTORS = SAMPLE.with_name("arxiv-sample.minilm-f16.npy")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
SAMPLE_SIZE = 114_557  # lines of the shared sample (its README)


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


def _created(day: str, seconds: int) -> str:
    """Return a day as arXiv's version stamp ("Mon, 2 Apr 2007 19:18:42 GMT")."""
    when = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    return format_datetime(when, usegmt=True)


def _parsed(name: str) -> list[str]:
    """Return a "Forenames Keyname" name as arXiv's [keyname, forenames, suffix]."""
    forenames, _, keyname = name.rpartition(" ")
    return [keyname, forenames, ""]


def kaggle(record: dict) -> dict[str, Any]:
    """Return a sample-layout record in the Kaggle snapshot layout."""
    first = record["published"] or record["announced"]
    stamp = int(record["id"].encode().hex()[-4:], 16) % 86_400  # a time of day that differs by paper
    versions = [{"version": "v1", "created": _created(first, stamp)}]
    if record.get("updated") and record["updated"] > first:
        versions.append({"version": "v2", "created": _created(record["updated"], stamp)})
    authors = record["authors"]
    return {
        "id": record["id"],
        "submitter": authors[0],
        "authors": ", ".join(authors[:-1]) + (" and " if len(authors) > 1 else "") + authors[-1],
        "title": record["title"],
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": " ".join(record["categories"]),
        "license": None,
        "abstract": record["abstract"],
        "versions": versions,
        "update_date": record.get("updated") or first,
        "authors_parsed": [_parsed(a) for a in authors],
    }


def chosen_mask(size: int, total: int) -> tuple[int, np.ndarray]:
    """Return (copies, mask over copies × total interleaved lines): size of them, spread evenly."""
    copies = math.ceil(size / total)
    step = copies * total / size  # ≥ 1: take every step-th of the copies' interleaved lines
    mask = np.zeros(copies * total, dtype=bool)
    mask[(np.arange(size, dtype=np.float64) * step).astype(np.int64)] = True
    return copies, mask.reshape(total, copies)  # [line, copy]


def paths(size: int, out: Path, layout: str, gz: bool) -> tuple[Path, Path]:
    """Return where the set of size papers in layout lives (papers, vectors)."""
    return out / f"papers-{size}.{layout}.jsonl{'.gz' if gz else ''}", out / f"papers-{size}.npy"


def build(
    size: int, out: Path, *, layout: str = "kaggle", gz: bool = False, quiet: bool = True
) -> tuple[Path, Path]:
    """Write the set's papers and vectors under out (kept when already there); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    papers, vectors = paths(size, out, layout, gz)
    if papers.exists() and vectors.exists():
        return papers, vectors
    need = size * 2_300 + size * 768  # about 1.9 kB of JSON a record, 768 bytes of vector
    free = shutil.disk_usage(out).free
    if need > free * 0.9:
        raise SystemExit(f"{out}: about {need / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free")
    matrix = np.load(VECTORS, mmap_mode="r")
    total = matrix.shape[0]
    copies, mask = chosen_mask(size, total)
    vec_tmp = vectors.with_suffix(".tmp.npy")
    dest = np.lib.format.open_memmap(vec_tmp, mode="w+", dtype=matrix.dtype, shape=(size, matrix.shape[1]))
    tmp = papers.with_name(papers.name + ".tmp")
    shape = kaggle if layout == "kaggle" else (lambda r: r)
    started, row = time.monotonic(), 0
    sink: IO[str]
    sink = gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) if gz else tmp.open("w", encoding="utf-8")
    with sink:
        for copy in range(copies):  # copy by copy, each in the sample's line order
            lines = np.flatnonzero(mask[:, copy])
            wanted = set(lines.tolist())
            with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i in wanted:
                        sink.write(json.dumps(shape(vary(json.loads(line), copy)), ensure_ascii=False) + "\n")
            dest[row : row + len(lines)] = matrix[lines]
            row += len(lines)
            if not quiet:
                print(
                    f"  copy {copy + 1}/{copies}: {row:,} papers, {time.monotonic() - started:.0f} s",
                    flush=True,
                )
    assert row == size, (row, size)
    dest.flush()
    del dest
    vec_tmp.rename(vectors)
    tmp.rename(papers)
    return papers, vectors


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", choices=["kaggle", "sample"], default="kaggle")
    parser.add_argument("--gzip", action="store_true", help="write papers gzip-compressed (level 1)")
    args = parser.parse_args()
    start = time.monotonic()
    built = build(args.size, args.out, layout=args.layout, gz=args.gzip, quiet=False)
    for path in built:
        print(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB")
    print(f"{time.monotonic() - start:.0f} s; disk free {shutil.disk_usage(args.out).free / 2**30:.0f} GiB")
