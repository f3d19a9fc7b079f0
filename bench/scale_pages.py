"""Server time of each page on the database paperwire is pointed at (bench/scale.py runs it).

Prints a table, then one JSON line {url: [p50 ms, p95 ms, CPU p50 ms]}: wall time, and the CPU
time of this process (Python's share; the database server's own CPU is not in it). The page
cache is off: these are the costs of rendering, which each change makes a reader pay once per
worker.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
os.environ["PAPERWIRE_PAGE_CACHE"] = "0"

from _setup import percentile  # noqa: E402


def urls() -> list[str]:
    """Return the pages to time: the busiest day, week and month, deep pages, the API, search."""
    from django.conf import settings
    from django.db.models import Count

    from paperwire.papers.models import Paper

    busiest = Paper.objects.values("listing_day").order_by().annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None, "no papers"
    day = busiest["listing_day"]
    month_n = Paper.objects.filter(listing_day__year=day.year, listing_day__month=day.month).count()
    last = max(1, (month_n + settings.PAGE_SIZE - 1) // settings.PAGE_SIZE)
    week = f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"
    one = Paper.objects.filter(listing_day=day).values_list("arxiv_id", flat=True).first()
    middle = Paper.objects.filter(listing_day=day).order_by("-arxiv_id").values_list("arxiv_id", flat=True)
    after = f"{day}_{middle[len(middle) // 2]}"  # a cursor halfway into the busiest day
    return [
        "/",
        f"/papers/date/{day}",
        f"/papers/week/{week}",
        f"/papers/month/{day:%Y-%m}",
        f"/papers/month/{day:%Y-%m}?sort=newest&page={last}",  # the deepest page of the month
        f"/papers/month/{day:%Y-%m}?sort=newest&page={last}&after={after}",  # the same depth, by cursor
        f"/papers/month/{day:%Y-%m}?category=cs.LG",
        f"/papers/month/{day:%Y-%m}?category=cs.LG&sort=trending&page=20",
        f"/papers/{one}",
        f"/api/daily_papers?month={day:%Y-%m}&sort=trending",
        f"/api/daily_papers?month={day:%Y-%m}&p=50&limit=100",  # a deep API page
        "/api/daily_papers",
        "/api/papers?limit=50",
        "/authors/Wei Wang",  # a common name
        "/search?q=graph+neural+networks",
        "/search?q=author%3A%22Wei+Wang%22+learning",
        "/api/v1/search?q=dark+matter+halo",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':60} {'status'} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}", file=sys.stderr)
    figures = {}
    for url in urls():
        status = client.get(url).status_code  # warm up: loads indexes, fills the OS cache
        times, cpu = [], []
        for _ in range(args.n):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        p50, p95 = round(statistics.median(times), 1), round(percentile(times, 95), 1)
        figures[url] = [p50, p95, round(statistics.median(cpu), 1)]
        print(f"{url[:60]:60} {status} {p50:8.1f} {p95:8.1f} {figures[url][2]:8.1f}", file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
