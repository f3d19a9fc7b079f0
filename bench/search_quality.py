"""Search quality on the shared sample: MRR@10, recall@10 and nDCG@10 per query class and mode.

    .venv/bin/python bench/search_quality.py [--split dev|test|both] [--data-dir DIR]
    .venv/bin/python bench/search_quality.py --split dev --set keyword.MIN_MATCH=0 --set engine.RRF_K=20

The queries are bench/queries/*.jsonl, one file per class (exact titles, titles with typos or
missing words, plain-words descriptions, keyword lists, author + topic, questions, arXiv ids),
each line a query, its right paper and its split; bench/queries/pick.py says how they were made.
Levers are measured on the dev split; the test split is looked at once per change.

Each mode runs as served (exact titles and arXiv ids pinned first). The index files are built
from the sample with paperwire's own search modules on the first run and kept in --data-dir;
query vectors are kept there too (queries.npz), so a rerun embeds only new queries.
--set MODULE.NAME=VALUE overrides a constant of paperwire.search.MODULE for the run (levers).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_data  # noqa: E402

QUERY_DIR = Path(__file__).with_name("queries")
CLASSES = ("title", "typo", "description", "keywords", "author", "question", "arxiv_id")
MODES = ("keyword", "vector", "hybrid")
K = 10


def load_queries() -> list[dict]:
    """Return every query as {class, id, query, split}."""
    out = []
    for name in CLASSES:
        for line in (QUERY_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append({"class": name, **json.loads(line)})
    return out


def scores(ranked: list[int], answer: int) -> tuple[float, float, float]:
    """Return (reciprocal rank, recall, nDCG) at K of one query with one right answer."""
    top = ranked[:K]
    if answer not in top:
        return 0.0, 0.0, 0.0
    r = top.index(answer) + 1
    return 1.0 / r, 1.0, 1.0 / math.log2(r + 1)


def ensure_indexes(rows: list[dict]) -> None:
    from paperwire.search.store import keyword_ok, read_manifest, vectors_ok

    manifest = read_manifest("keyword") or {}
    if manifest.get("docs") == len(rows) and keyword_ok(manifest) and vectors_ok(read_manifest("vectors")):
        return
    print(f"building the index files of {len(rows):,} papers …", file=sys.stderr)
    stats = search_data.build_indexes(
        search_data.synthetic(rows, search_data.load_vectors(), len(rows)), len(rows)
    )
    print(f"  built: {stats}", file=sys.stderr)


def query_vectors(data_dir: Path, texts: list[str]):
    """Return an embed function answering from a cache file, embedding what it lacks once."""
    from paperwire.search import embedding

    path = data_dir / "queries.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as f:
            cache = dict(zip(f["texts"].tolist(), f["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in cache})
    if missing:
        for t, v in zip(missing, embedding.embed(missing), strict=True):
            cache[t] = v
        keys = sorted(cache)
        np.savez(path, texts=np.array(keys), vectors=np.stack([cache[k] for k in keys]))

    def embed(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = embedding.embed_query(text)
        return cache[text]

    return embed


def apply_overrides(pairs: list[str]) -> None:
    """Set paperwire.search.MODULE.NAME = VALUE for each MODULE.NAME=VALUE."""
    import importlib

    for pair in pairs:
        target, value = pair.split("=", 1)
        module, name = target.rsplit(".", 1)
        mod = importlib.import_module(f"paperwire.search.{module}")
        if not hasattr(mod, name):
            raise SystemExit(f"paperwire.search.{module} has no {name}")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        setattr(mod, name, parsed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench-sample")
    ap.add_argument("--split", choices=("dev", "test", "both"), default="both")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE")
    ap.add_argument("--misses", action="store_true", help="list the hybrid misses (dev split only)")
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    search_data.setup_django(args.data_dir)
    from paperwire.search import engine, querylang

    apply_overrides(args.set)
    rows = search_data.load_sample()
    ensure_indexes(rows)
    pk_of = {r["id"]: i + 1 for i, r in enumerate(rows)}
    queries = load_queries()
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    queries = [q for q in queries if q["split"] in splits]
    embed = query_vectors(args.data_dir, [querylang.parse(q["query"]).text for q in queries])
    modes = args.modes.split(",")

    started = time.perf_counter()
    # (split, class, mode) -> [rr, recall, ndcg] sums, and counts
    sums: dict[tuple[str, str, str], np.ndarray] = defaultdict(lambda: np.zeros(3))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    misses = []
    for q in queries:
        answer = pk_of[q["id"]]
        parsed = querylang.parse(q["query"])
        counts[(q["split"], q["class"])] += 1
        for mode in modes:
            ranked, _ = engine.rank(parsed, mode=mode, embed=embed)
            pks = [r.pk for r in ranked]
            s = scores(pks, answer)
            for key in ((q["split"], q["class"], mode), (q["split"], "ALL", mode)):
                sums[key] += s
            if mode == "hybrid" and s[0] < 1 and args.misses and q["split"] == "dev":
                rank = pks.index(answer) + 1 if answer in pks else None
                misses.append((q["class"], rank, q["query"], rows[pks[0] - 1]["title"] if pks else ""))
        counts[(q["split"], "ALL")] += 1
    took = time.perf_counter() - started

    flags = " ".join(args.set) or "engine defaults"
    print(f"search quality on {len(rows):,} papers ({flags}); MRR@10 / recall@10 / nDCG@10")
    for split in splits:
        print(f"\n{split} split")
        print(f"{'class':<12} {'n':>4}  " + "  ".join(f"{m:^20}" for m in modes))
        for name in (*CLASSES, "ALL"):
            n = counts[(split, name)]
            if not n:
                continue
            cells = []
            for mode in modes:
                rr, rec, nd = sums[(split, name, mode)] / n
                cells.append(f"{rr:.3f} {rec:.3f} {nd:.3f}")
            print(f"{name:<12} {n:>4}  " + "  ".join(f"{c:^20}" for c in cells))
    if misses:
        print("\nhybrid misses (dev): class, rank of the right paper, query → first result")
        for name, rank, text, first in sorted(misses, key=lambda m: m[0]):
            print(f"  {name:<11} {rank!s:>4}  {text[:70]!r} → {first[:60]!r}")
    print(f"\n({took:.0f} s, {len(queries)} queries × {len(modes)} modes)")


if __name__ == "__main__":
    main()
