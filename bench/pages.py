"""Server time of the feed pages and their API twins with the whole sample loaded.

    python bench/import.py --keep /tmp/paperwire-bench   # once: the 115k-paper database
    python bench/pages.py [--data-dir /tmp/paperwire-bench] [-n 200] [--member]

Each URL is requested n times through Django's full request handling (middleware, views,
templates, database) in this process; the figures are server time, without the network.
Anonymous readers' feed pages come from the page cache after the first view; --member signs a
member in, so every page renders (with its vote, save and hide buttons) as members see it.
CPU is the process's CPU time per request: what it costs on an idle core.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from _setup import django_on, percentile

TARGET_MS = 30.0  # p95 target for a page or API call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--member", action="store_true", help="as a signed-in member (no page cache)")
    args = parser.parse_args()
    fresh = not (args.data_dir / "paperwire.sqlite3").exists()
    django_on(args.data_dir)
    from django.db.models import Count
    from django.test import Client

    from paperwire.papers import queries
    from paperwire.papers.importer import import_files
    from paperwire.papers.models import Paper

    if fresh or not Paper.objects.exists():
        from _setup import SAMPLE

        print(f"loading {SAMPLE} into {args.data_dir} …")
        import_files([SAMPLE])
    total = Paper.objects.count()
    day = queries.latest_day()
    assert day is not None
    busiest = Paper.objects.values("listing_day").order_by().annotate(n=Count("id")).order_by("-n").first()
    week = f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"
    one = Paper.objects.filter(listing_day=day).values_list("arxiv_id", flat=True).first()
    urls = [
        "/",
        f"/papers/date/{day}?sort=newest",
        f"/papers/date/{busiest['listing_day']}",  # the busiest day of the sample
        f"/papers/date/{day}?category=cs.LG",
        f"/papers/week/{week}",
        f"/papers/month/{day:%Y-%m}",
        f"/papers/date/{day}?page=3",
        f"/papers/{one}",
        f"/api/daily_papers?date={day}",
        f"/api/daily_papers?date={day}&sort=trending&limit=100",
        f"/api/daily_papers?month={day:%Y-%m}&sort=trending",
        "/api/daily_papers",
        f"/api/papers/{one}",
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    if args.member:
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_user(f"bench-pages-{time.time_ns()}"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{total:,} papers, busiest day {busiest['listing_day']} ({busiest['n']} papers)"
    )
    print(f"load: {os.getloadavg()[0]:.1f} (1 min); {'member' if args.member else 'anonymous'}")
    print(f"{'url':62} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8}")
    worst = 0.0
    for url in urls:
        assert client.get(url).status_code == 200, url  # warm caches, check it works
        times, cpu = [], []
        for _ in range(args.n):
            start, cpu_start = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
        p95 = percentile(times, 95)
        worst = max(worst, p95)
        print(
            f"{url[:62]:62} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}"
            f" {statistics.median(cpu):8.1f} {percentile(cpu, 95):8.1f}"
        )
    print(
        f"worst p95: {worst:.1f} ms (target ≤ {TARGET_MS:.0f} ms): "
        f"{'met' if worst <= TARGET_MS else 'NOT met'}; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
