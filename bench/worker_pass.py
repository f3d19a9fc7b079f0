"""Time of one background pass (paperwire.jobs.run_pass) when there is nothing to do, and when one
new paper came in: what every node pays every PAPERWIRE_WORKER_INTERVAL seconds.

    python bench/worker_pass.py [--data-dir DIR] [-n 20]

Loads the bundled demo set (3,390 papers, with their vectors) into a fresh SQLite data dir unless
DIR already holds papers (e.g. the 115k sample from `bench/import.py --keep DIR`, embedded by
`paperwire embed`). No ingestion source and no subscriber: the pass's own overhead.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from _setup import ROOT, django_on, percentile

DEMO = ROOT / "paperwire" / "demo" / "papers.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("-n", type=int, default=20, help="passes timed in each case")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="paperwire-pass-"))
    django_on(data_dir)
    import numpy as np
    from django.conf import settings
    from django.core.management import call_command

    from paperwire import jobs
    from paperwire.papers.models import Paper
    from paperwire.search.store import update_indexes

    settings.INGEST_SOURCES = []
    if not Paper.objects.exists():
        vectors = DEMO.with_name("papers.minilm-f16.npy")
        call_command("import", str(DEMO), vectors=vectors, stdout=io.StringIO())
    update_indexes()
    papers = Paper.objects.count()

    def timed(prepare: object = None) -> tuple[list[float], dict[str, list[float]]]:
        totals: list[float] = []
        steps: dict[str, list[float]] = {"indexes": []}
        for i in range(args.n):
            if callable(prepare):
                prepare(i)
            started = time.perf_counter()
            report = jobs.run_pass()
            totals.append((time.perf_counter() - started) * 1000)
            assert not report.errors, report.errors
            steps["indexes"].append((report.indexed.seconds if report.indexed else 0.0) * 1000)
        return totals, steps

    quiet, quiet_steps = timed()
    folder = Path(tempfile.mkdtemp())
    row = json.loads(gzip.open(DEMO, "rt").readline())
    vector = np.load(DEMO.with_name("papers.minilm-f16.npy"), mmap_mode="r")[:1]

    def one_new(i: int) -> None:
        fresh = {**row, "id": f"2612.{90000 + i:05d}", "title": f"{row['title']} (bench copy {i})"}
        (folder / "one.jsonl").write_text(json.dumps(fresh) + "\n")
        np.save(folder / "one.npy", vector)
        call_command("import", str(folder / "one.jsonl"), vectors=folder / "one.npy", stdout=io.StringIO())

    # The copy's text differs from the vector's, so the pass embeds it too (the model is loaded once).
    jobs.run_pass()
    busy, busy_steps = timed(one_new)
    load = os.getloadavg()
    print(f"papers: {papers}; passes timed: {args.n} per case; load average {load[0]:.2f} {load[1]:.2f}")
    for name, totals, steps in (("nothing to do", quiet, quiet_steps), ("one new paper", busy, busy_steps)):
        median, p95 = statistics.median(totals), percentile(totals, 95)
        index_median = statistics.median(steps["indexes"])
        print(f"{name:>14}: pass median {median:.1f} ms, p95 {p95:.1f} ms; index step {index_median:.1f} ms")


if __name__ == "__main__":
    main()
