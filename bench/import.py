"""Import the whole shared sample into an empty SQLite database; print papers/s and peak memory.

python bench/import.py [--sample PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from _setup import SAMPLE, django_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument(
        "--keep", type=Path, help="import into this data dir and keep it (for bench/pages.py)"
    )
    args = parser.parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="paperwire-bench-"))
    if args.keep and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    django_on(data)
    from paperwire.papers.importer import import_files

    start = time.perf_counter()
    report = import_files([args.sample])
    took = time.perf_counter() - start
    again_start = time.perf_counter()
    again = import_files([args.sample])
    again_took = time.perf_counter() - again_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"first import : {report.summary()}")
    print(f"               {took:.1f} s, {report.read / took:,.0f} papers/s")
    print(f"second import: {again.summary()}")
    print(f"               {again_took:.1f} s, {again.read / again_took:,.0f} papers/s (all unchanged)")
    print(f"peak memory  : {peak_mib:,.0f} MiB (max RSS)")
    print(f"database     : {(data / 'paperwire.sqlite3').stat().st_size / 2**20:,.0f} MiB")
    if not args.keep:
        shutil.rmtree(data)


if __name__ == "__main__":
    main()
