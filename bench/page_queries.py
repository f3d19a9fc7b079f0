"""Show where one page's server time goes: each SQL query it runs, slowest first, with the plan
of the slowest (EXPLAIN ANALYZE), and the page's wall and CPU time. Page cache off.

    DATABASE_URL=… PAPERWIRE_DATA_DIR=… python bench/page_queries.py URL [URL…] [--top 5] [--explain 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
os.environ["PAPERWIRE_PAGE_CACHE"] = "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--top", type=int, default=5, help="queries listed per page")
    parser.add_argument("--explain", type=int, default=1, help="slowest queries explained per page")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for url in args.urls:
        client.get(url)  # warm: indexes loaded, OS cache filled
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            wall, cpu = time.perf_counter(), time.process_time()
            status = client.get(url).status_code
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"\n{url} → {status}: {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU here, "
            f"{len(queries)} queries {sql_ms:.1f} ms; load {open('/proc/loadavg').read().split()[0]}"
        )
        for q in queries[: args.top]:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
        for q in queries[: args.explain]:
            prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cur:
                cur.execute(prefix + q["sql"])
                print("    " + "\n    ".join(" | ".join(map(str, row)) for row in cur.fetchall()))


if __name__ == "__main__":
    main()
