"""Citation and Markdown export speed: one paper's files and a whole month's list exports.

Imports the bundled demo set (3,390 papers over 14 listing days) into a fresh SQLite database
(or DATABASE_URL), then times requests through Django's test client (server time: routing,
queries, writing; no network) and prints median, p95, throughput and, for the list exports,
their size and peak Python memory. Run: `.venv/bin/python bench/exports.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_on  # noqa: E402

django_on(Path(tempfile.mkdtemp(prefix="paperwire-bench-")))

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from paperwire.papers.models import Paper  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    """Return the milliseconds of each of runs requests (after two warm-ups) and the body size."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        size = len(response.content)
    return times, size


def peak_mib(client: Client, url: str) -> float:
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="requests per one-paper file")
    parser.add_argument("--list-runs", type=int, default=10, help="requests per list export")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("import", str(ROOT / "paperwire" / "demo" / "papers.jsonl.gz"), verbosity=0)
    months = Counter(f"{d:%Y-%m}" for d in Paper.objects.values_list("listing_day", flat=True))
    busiest, in_month = months.most_common(1)[0]  # the month with the most papers
    month = f"/papers/month/{busiest}"
    paper = Paper.objects.order_by("-listing_day", "arxiv_id").first()
    assert paper is not None
    client = Client()
    print(
        f"database: {connection.vendor}; papers: {Paper.objects.count()};"
        f" month {busiest}: {in_month} papers (export cap {settings.EXPORT_MAX_PAPERS});"
        f" load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'request':<34} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'KiB':>8} {'peak MiB':>9}")
    rows = [
        (f"paper .{ext}", f"/papers/{paper.arxiv_id}.{ext}", args.runs)
        for ext in ("bib", "ris", "csl.json", "md")
    ]
    rows += [
        (f"month ?format={f}", f"{month}?format={f}", args.list_runs)
        for f in ("bibtex", "ris", "csljson", "md")
    ]
    rows.append(("month page (for comparison)", month, args.list_runs))
    for name, url, runs in rows:
        times, size = measure(client, url, runs)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        peak = f"{peak_mib(client, url):>9.1f}" if "format" in url else f"{'':>9}"
        print(
            f"{name:<34} {statistics.median(times):>10.1f} {p95:>8.1f} {1000 / statistics.mean(times):>7.1f}"
            f" {size / 1024:>8.0f} {peak}"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
