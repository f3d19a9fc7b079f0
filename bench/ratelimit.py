"""Rate-limit cost and exactness: one counted action, and N parallel actions against a limit of 5.

Builds a fresh SQLite database (or uses DATABASE_URL), then prints the median, p95 and
throughput of `ratelimits.limits.consume` (one INSERT … ON CONFLICT … RETURNING), and how many
of N actions taken at once by threads got past a limit of 5 (it must be exactly 5).
Run: `.venv/bin/python bench/ratelimit.py [--runs N] [--parallel N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PAPERWIRE_DATA_DIR", tempfile.mkdtemp(prefix="paperwire-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
os.environ.setdefault("PAPERWIRE_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from paperwire.ratelimits.limits import RateLimited, consume  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--parallel", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}; load: {os.getloadavg()[0]:.2f}")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": f"{args.runs * 2}/d"}
    times = []
    for i in range(args.runs):
        started = time.perf_counter()
        consume("vote", f"user:{i % 50}")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(
        f"consume: median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms, "
        f"{args.runs / (sum(times) / 1000):.0f}/s"
    )
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "5/d"}
    barrier = threading.Barrier(args.parallel)
    passed: list[int] = []

    def one() -> None:
        barrier.wait()
        try:
            consume("vote", "user:parallel")
            passed.append(1)
        except RateLimited:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{args.parallel} actions at once against a limit of 5: {len(passed)} got through")


if __name__ == "__main__":
    main()
