"""Search quality on the shared sample: MRR@10 and recall@10 of keyword, vector and hybrid search.

    .venv/bin/python bench/search_quality.py [--data-dir DIR] [--depth 100] [--weights 1,1]

Two query sets, each query with one right answer:
  (a) 500 random papers of the sample, searched by their titles;
  (b) bench/queries.jsonl: descriptions of one paper's contribution in plain words, written
      without the distinctive words of its title.
The methods are compared without pinning (pinning would put every exact title first); the
hybrid search as served (with pins) is shown for (a) too. The index files are built from the
sample with paperwire's own search modules on the first run and kept in --data-dir.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_data  # noqa: E402

QUERIES = Path(__file__).with_name("queries.jsonl")
K = 10


def evaluate(rank_fn, cases: list[tuple[str, int]]) -> tuple[float, float]:
    """Return (MRR@10, recall@10) of rank_fn over (query, right pk) cases."""
    rr = hits = 0.0
    for text, answer in cases:
        top = rank_fn(text)[:K]
        if answer in top:
            rr += 1.0 / (top.index(answer) + 1)
            hits += 1
    return rr / len(cases), hits / len(cases)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench-sample")
    ap.add_argument("--depth", type=int, default=None, help="candidates per list (default: the engine's)")
    ap.add_argument("--weights", default=None, help="keyword,vector fusion weights (default: the engine's)")
    ap.add_argument("--titles", type=int, default=500)
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    search_data.setup_django(args.data_dir)
    from paperwire.search import embedding, engine, querylang
    from paperwire.search.store import keyword_ok, read_manifest, vectors_ok

    rows = search_data.load_sample()
    manifest = read_manifest("keyword") or {}
    if (
        manifest.get("docs") != len(rows)
        or not keyword_ok(manifest)
        or not vectors_ok(read_manifest("vectors"))
    ):
        print(f"building the index files of {len(rows):,} papers in {args.data_dir} …", file=sys.stderr)
        stats = search_data.build_indexes(
            search_data.synthetic(rows, search_data.load_vectors(), len(rows)), len(rows)
        )
        print(f"  built: {stats}", file=sys.stderr)
    pk_of = {r["id"]: i + 1 for i, r in enumerate(rows)}

    rng = random.Random(42)
    titles = [(" ".join(rows[i]["title"].split()), i + 1) for i in rng.sample(range(len(rows)), args.titles)]
    described = []
    for line in QUERIES.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            described.append((item["query"], pk_of[item["id"]]))

    depth = args.depth or engine.DEPTH
    weights = tuple(float(w) for w in args.weights.split(",")) if args.weights else engine.WEIGHTS
    cache: dict[str, object] = {}

    def embed(text: str):
        if text not in cache:
            cache[text] = embedding.embed_query(text)
        return cache[text]

    def ranker(mode: str, pin: bool = False):
        def run(text: str) -> list[int]:
            ranked, _ = engine.rank(
                querylang.parse(text), mode=mode, depth=depth, pin=pin, weights=weights, embed=embed
            )
            return [r.pk for r in ranked]

        return run

    started = time.perf_counter()
    print(
        f"search quality on {len(rows):,} papers (depth {depth}, "
        f"weights keyword {weights[0]}, vector {weights[1]})"
    )
    print(f"{'query set':<34} {'method':<18} {'MRR@10':>7} {'recall@10':>10}")
    for name, cases in (
        (f"(a) {len(titles)} titles", titles),
        (f"(b) {len(described)} descriptions", described),
    ):
        methods = [
            ("keyword only", ranker("keyword")),
            ("vector only", ranker("vector")),
            ("hybrid (RRF)", ranker("hybrid")),
        ]
        if cases is titles:
            methods.append(("hybrid, as served", ranker("hybrid", pin=True)))
        for label, fn in methods:
            mrr, rec = evaluate(fn, cases)
            print(f"{name:<34} {label:<18} {mrr:>7.3f} {rec:>10.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
