"""Search speed: p50/p95 of hybrid search (query embedding included), index build time, memory.

    .venv/bin/python bench/search_speed.py                     # the 115k sample, through the database
    .venv/bin/python bench/search_speed.py --papers 1000000    # and a synthetic 1M-paper index
    .venv/bin/python bench/search_speed.py --skip-sample --papers 1000000 --scaled-dir /tmp/pw-1m  # kept

The sample run is the real thing: the sample and its vectors are imported into SQLite
(`paperwire import --vectors`), `paperwire index --rebuild` builds the index files, and each
query goes through engine.search (parse, embed, tantivy, usearch HNSW, fusion, page fetch).
A --papers run larger than the sample scales it synthetically (bench/search_data.py) straight
into index files, and times engine.rank (everything but the final fetch of one page of rows).
ANN recall@10 is measured against an exact scan, with real vectors as queries.
Index builds use --threads threads (default 1, so a run leaves a core free to others).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_data  # noqa: E402

QUERIES = Path(__file__).with_name("queries") / "description.jsonl"


def query_set(rows: list[dict], n: int, seed: int = 1) -> list[str]:
    """Return n queries: title fragments, plain descriptions, author + word, arXiv ids."""
    rng = random.Random(seed)
    described = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line.strip()]
    out: list[str] = []
    while len(out) < n:
        r = rows[rng.randrange(len(rows))]
        kind = len(out) % 4
        if kind == 0:
            words = r["title"].split()
            start = rng.randrange(max(len(words) - 3, 1))
            out.append(" ".join(words[start : start + rng.randint(2, 5)]))
        elif kind == 1:
            out.append(described[len(out) % len(described)])
        elif kind == 2:
            out.append(f'author:"{r["authors"][0].split()[-1]}" {rng.choice(r["title"].split())}')
        else:
            out.append(r["id"])
    return out


def timed(fn, items: list) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(label: str, ms: list[float]) -> str:
    return (
        f"  {label:<34} p50 {search_data.percentile(ms, 50):6.1f} ms"
        f"   p95 {search_data.percentile(ms, 95):6.1f} ms"
        f"   ({len(ms)} queries)"
    )


def ann_recall(vs, matrix: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    """Return the mean overlap of the ANN's top k with the exact top k."""
    from paperwire.search import ann

    hits = 0
    for q in queries:
        exact = {lab for lab, _ in ann.exact(matrix, labels, q, k)}
        found = vs.index.search(q.astype(np.float32), k, threads=1)
        hits += len(exact & {int(x) for x in found.keys})
    return hits / (k * len(queries))


def sample_run(args: argparse.Namespace, rows: list[dict]) -> None:
    from django.core.management import call_command

    from paperwire.papers.models import Paper
    from paperwire.search import embedding, engine, querylang
    from paperwire.search.store import readers, update_indexes

    call_command("migrate", verbosity=0)
    if Paper.objects.count() != len(rows):
        started = time.perf_counter()
        call_command(
            "import", str(search_data.SAMPLE), vectors=search_data.VECTORS, stdout=open("/dev/null", "w")
        )
        print(f"  import of {len(rows):,} papers with vectors: {time.perf_counter() - started:.0f} s")
    rss0 = search_data.rss_mib()
    started = time.perf_counter()
    report = update_indexes(rebuild=not args.reuse, threads=args.threads)
    print(
        f"  paperwire index{'' if args.reuse else ' --rebuild'} ({args.threads} thread(s)): "
        f"{time.perf_counter() - started:.1f} s — "
        f"{report.summary()}"
    )
    sizes = sum(
        f.stat().st_size
        for f in (Path(search_data.os.environ["PAPERWIRE_DATA_DIR"]) / "search").rglob("*")
        if f.is_file()
    )
    print(f"  index files: {sizes / 2**20:.0f} MiB")
    readers.reset()
    embedding.embed_query("warm up")
    rss1 = search_data.rss_mib()
    readers.keyword(), readers.vectors()
    engine.search("warm up the caches")
    rss2 = search_data.rss_mib()
    print(f"  memory: model {rss1 - rss0:.0f} MiB; opened indexes {rss2 - rss1:.0f} MiB (per web worker)")
    queries = query_set(rows, args.queries)
    print(line("query embedding alone", timed(embedding.embed_query, queries[1::4])))
    for mode in ("keyword", "vector", "hybrid"):
        print(
            line(
                f"engine.search, {mode}", timed(lambda q, m=mode: engine.search(q, mode=m, limit=10), queries)
            )
        )
    print(
        line(
            "hybrid with a category filter",
            timed(lambda q: engine.search(q, category="cs.CL", limit=10), queries[:100]),
        )
    )
    print(
        line(
            "hybrid, sorted newest", timed(lambda q: engine.search(q, sort="newest", limit=10), queries[:100])
        )
    )
    vs = readers.vectors()
    vecs = search_data.load_vectors()
    matrix = np.asarray(vecs, dtype=np.float32)
    labels = np.asarray(Paper.objects.order_by("arxiv_id").values_list("pk", flat=True))
    by_id = dict(Paper.objects.values_list("arxiv_id", "pk"))
    labels = np.array([by_id[r["id"]] for r in rows], dtype=np.int64)
    rng = np.random.default_rng(3)
    real = matrix[rng.choice(len(matrix), 300, replace=False)]
    embedded = embedding.embed([querylang.parse(q).text or q for q in queries[1::4][:100]])
    print(
        f"  ANN recall@10 vs exact: {ann_recall(vs, matrix, labels, real):.3f} (300 paper vectors), "
        f"{ann_recall(vs, matrix, labels, embedded):.3f} (embedded queries)"
    )


def scaled_run(args: argparse.Namespace, rows: list[dict]) -> None:
    from paperwire.search import embedding, engine, querylang
    from paperwire.search.store import keyword_ok, matrix_path, read_manifest, readers, vectors_ok

    vecs = search_data.load_vectors()
    rss0 = search_data.rss_mib()
    manifest = read_manifest("keyword") or {}
    if manifest.get("docs") == args.papers and keyword_ok(manifest) and vectors_ok(read_manifest("vectors")):
        print(f"  reusing the index files of {args.papers:,} papers in {args.scaled_dir}")
    else:
        started = time.perf_counter()
        stats = search_data.build_indexes(
            search_data.synthetic(rows, vecs, args.papers), args.papers, threads=args.threads
        )
        print(
            f"  build of {args.papers:,} papers ({args.threads} thread(s)): "
            f"{time.perf_counter() - started:.0f} s "
            f"(keyword {stats['keyword_s']:.0f} s, vectors {stats['vector_s']:.0f} s); files: keyword "
            f"{stats['keyword_mib']:.0f} MiB, vectors {stats['vector_mib']:.0f} MiB; builder peak RSS "
            f"{search_data.peak_rss_mib():.0f} MiB"
        )
    readers.reset()
    embedding.embed_query("warm up")
    rss1 = search_data.rss_mib()
    readers.keyword(), readers.vectors()
    rss2 = search_data.rss_mib()
    print(
        f"  memory: opened indexes {rss2 - rss1:.0f} MiB (per web worker); "
        f"RSS before the build {rss0:.0f} MiB"
    )
    queries = query_set(rows, args.queries)
    for mode in ("keyword", "vector", "hybrid"):
        ms = timed(lambda q, m=mode: engine.rank(querylang.parse(q), mode=m), queries)
        print(line(f"engine.rank, {mode}", ms))
    vs = readers.vectors()
    # The vectors as indexed (float16 on disk; the graph holds the same values as float32).
    matrix = np.asarray(np.load(matrix_path(), mmap_mode="r"), dtype=np.float32)
    labels = np.arange(1, len(matrix) + 1, dtype=np.int64)
    rng = np.random.default_rng(3)
    real = np.asarray(vecs[rng.choice(len(vecs), 300, replace=False)], dtype=np.float32)
    embedded = embedding.embed([querylang.parse(q).text or q for q in queries[1::4][:100]])
    print(
        f"  ANN recall@10 vs exact: {ann_recall(vs, matrix, labels, real):.3f} (300 real paper vectors), "
        f"{ann_recall(vs, matrix, labels, embedded):.3f} (embedded queries)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--papers", type=int, default=0, help="also run on this many papers, scaled synthetically"
    )
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--threads", type=int, default=1, help="threads for index builds")
    ap.add_argument("--skip-sample", action="store_true", help="only the --papers run")
    ap.add_argument("--reuse", action="store_true", help="update the --data-dir's indexes, not rebuild")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep the sample database here between runs")
    ap.add_argument(
        "--scaled-dir", type=Path, default=None, help="keep the --papers index files here between runs"
    )
    args = ap.parse_args()
    import onnxruntime
    import usearch

    load = search_data.os.getloadavg()[0]
    print(
        f"machine: {search_data.os.cpu_count()} cores (load {load:.1f}), ONNX Runtime "
        f"{onnxruntime.__version__} with 1 thread for queries, usearch {usearch.__version__}"
    )
    rows = search_data.load_sample()
    if not args.skip_sample:
        search_data.setup_django(args.data_dir)
        print(f"sample: {len(rows):,} real papers, through the database")
        sample_run(args, rows)
    if args.papers:
        scaled_dir = args.scaled_dir or Path(tempfile.mkdtemp(prefix="pw-bench-scaled-"))
        scaled_dir.mkdir(parents=True, exist_ok=True)
        if args.skip_sample:
            search_data.setup_django(scaled_dir)
        else:
            from django.conf import settings

            settings.DATA_DIR = scaled_dir
        print(f"scaled: {args.papers:,} papers (the sample and perturbed copies), index files only")
        scaled_run(args, rows)


if __name__ == "__main__":
    main()
