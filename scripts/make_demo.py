"""Cut the bundled demo set from the shared sample: the papers of its last 14 listing days.

    python scripts/make_demo.py ../shared/data/arxiv-sample.jsonl.gz paperwire/demo

Writes papers.jsonl.gz and papers.minilm-f16.npy (their sentence embeddings, row for row).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np

DAYS = 14


def main(sample: Path, out: Path) -> None:
    """Write the demo slice of sample (and of its vectors file beside it) into out."""
    with gzip.open(sample, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    days = sorted({r["announced"] for r in rows if r["announced"]})[-DAYS:]
    keep = [i for i, r in enumerate(rows) if r["announced"] in set(days)]
    out.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out / "papers.jsonl.gz", "wb", mtime=0) as g:
        for i in keep:
            g.write((json.dumps(rows[i], ensure_ascii=False) + "\n").encode())
    vectors = np.load(sample.with_name("arxiv-sample.minilm-f16.npy"), mmap_mode="r")
    np.save(out / "papers.minilm-f16.npy", np.asarray(vectors[keep]))
    print(f"{len(keep)} papers from {days[0]} to {days[-1]} written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
