"""Server time of search through the HTML page and the API alike, on the 115k sample.

    .venv/bin/python bench/search_pages.py [--data-dir DIR] [--index-dir DIR] [-n 200] [--profile]

The sample is imported into SQLite in --data-dir once (papers only). The index files are copied
from --index-dir, the folder bench/search_quality.py builds them in (its paper keys are the
sample's line numbers, which a fresh import gives the same papers), so nothing is indexed twice.
Each query goes through Django's full request handling (query embedding included) as
/search?q=… and /api/v1/search?q=…; --profile prints where the HTML page spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from _setup import django_on, percentile

QUERY_DIR = Path(__file__).with_name("queries")


def queries(n: int) -> list[str]:
    """Return n queries taken in turn from every class of the evaluation set."""
    by_class = [
        [json.loads(line)["query"] for line in p.read_text().splitlines() if line.strip()]
        for p in sorted(QUERY_DIR.glob("*.jsonl"))
    ]
    out: list[str] = []
    i = 0
    while len(out) < n:
        for items in by_class:
            out.append(items[i % len(items)])
        i += 1
    return out[:n]


CPU: list[float] = []  # CPU ms of each request timed last (all threads of this process)


def timed(fn, items: list[str]) -> list[float]:
    """Return the wall ms of fn on each item; keep their CPU ms in CPU.

    On a shared, loaded machine the wall time is mostly waiting for a core; the CPU time is
    what a request costs on idle cores (a little more: the keyword search runs on a second
    thread beside the query embedding, and its time is counted too).
    """
    out = []
    CPU.clear()
    for item in items:
        started, cpu = time.perf_counter(), time.process_time()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench-pages")
    ap.add_argument("--index-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench-sample")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    fresh = not (args.data_dir / "paperwire.sqlite3").exists()
    os.environ.setdefault("PAPERWIRE_ALLOWED_HOSTS", "testserver")
    # One client sends every request: past the per-IP limits a search would be refused, or run
    # on words alone without embedding the query (30/m by default), and time far less.
    os.environ.setdefault("PAPERWIRE_RATE_LIMIT_SEARCH", "1000000/m")
    os.environ.setdefault("PAPERWIRE_RATE_LIMIT_SEARCH_EMBED", "1000000/m")
    django_on(args.data_dir)
    from django.test import Client

    from paperwire.papers.importer import import_files
    from paperwire.papers.models import Paper
    from paperwire.search import embedding
    from paperwire.search.store import readers

    if fresh or not Paper.objects.exists():
        from _setup import SAMPLE

        print(f"loading {SAMPLE} into {args.data_dir} …")
        import_files([SAMPLE])
    src, dst = args.index_dir / "search", args.data_dir / "search"
    if not dst.exists():
        shutil.copytree(src, dst)
    first = Paper.objects.order_by("pk").values_list("pk", "arxiv_id").first()
    print(f"{Paper.objects.count():,} papers; first pk {first}; load {os.getloadavg()[0]:.1f}")
    readers.reset()
    embedding.embed_query("warm up")
    client = Client()
    items = queries(args.n)
    for q in items[:20]:  # warm the caches
        client.get("/search", {"q": q})
        client.get("/api/v1/search", {"q": q})
    for label, url in (("API /api/v1/search", "/api/v1/search"), ("page /search", "/search")):
        ms = timed(lambda q, u=url: client.get(u, {"q": q}), items)
        print(
            f"  {label:<22} hybrid  p50 {percentile(ms, 50):6.1f} ms   p95 {percentile(ms, 95):6.1f} ms"
            f"   p99 {percentile(ms, 99):6.1f} ms  ({len(ms)} queries); CPU p50 {percentile(CPU, 50):5.1f} ms"
            f"   p95 {percentile(CPU, 95):5.1f} ms"
        )
    for text in ("diffusion model sampling",):
        ms = timed(lambda q: client.get("/search", {"q": q}), [text] * 50)
        print(
            f"  page /search?q={text!r:<28} p50 {percentile(ms, 50):6.1f} ms"
            f"   p95 {percentile(ms, 95):6.1f} ms; CPU p50 {percentile(CPU, 50):5.1f} ms"
            f"   p95 {percentile(CPU, 95):5.1f} ms"
        )
    print(f"  load after: {os.getloadavg()[0]:.1f}")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for q in items[:100]:
            client.get("/search", {"q": q})
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
