"""Import a papers file (with its vectors) into an empty database; print papers/s, the CPU each
paper cost the importer and the PostgreSQL backend, peak memory and the load average.

    python bench/import.py [PAPERS] [--vectors NPY] [--db sqlite|postgres] [--pg-url URL] [--again]

PAPERS defaults to the shared sample (sample layout); a Kaggle-layout set of any size comes from
`python bench/scale_data.py SIZE data/scale`. On PostgreSQL the database named by --pg-url
(default pw_import_bench) is dropped and made anew; SQLite gets a fresh data dir. --again
imports the file a second time (every paper unchanged) and times that too. The machine is shared:
read the rate beside the CPU per paper and the load average, which do not depend on it as much.
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

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pw_import_bench"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def backend_cpu(pid: int | None) -> float:
    """Return the CPU seconds a local PostgreSQL backend has used (0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def children_cpu() -> float:
    """Return the CPU seconds of this process's ended children (the import's parser process)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(paths: list[Path], vectors: Path | None) -> tuple[object, float, float, float, float]:
    """Import once; return (report, wall s, importer CPU s, its parser process's CPU s,
    PostgreSQL backend CPU s)."""
    from django.db import connection

    from paperwire.papers.importer import import_files

    feeder = None
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    db_before = backend_cpu(pid)
    cpu_before, child_before, start = time.process_time(), children_cpu(), time.perf_counter()
    if vectors is not None:
        from paperwire.search.vectors_io import VectorFeeder, load_vectors

        feeder = VectorFeeder(load_vectors(vectors, paths[0]))
    report = import_files(paths, on_batch=feeder)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu_before
    return report, took, cpu, children_cpu() - child_before, backend_cpu(pid) - db_before


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("papers", type=Path, nargs="?", default=SAMPLE)
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("PAPERWIRE_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--again", action="store_true", help="import it a second time (all unchanged)")
    parser.add_argument("--keep", type=Path, help="SQLite: import into this data dir and keep it")
    args = parser.parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="paperwire-bench-"))
    if args.keep and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        import psycopg

        base, name = args.pg_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.pg_url
    else:
        os.environ["DATABASE_URL"] = ""
    django_on(data)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.papers} into {args.db}{' with vectors' if args.vectors else ''}; load before {load()}")
    rounds = [("first import", args.vectors)] + ([("second import", args.vectors)] if args.again else [])
    for label, vectors in rounds:
        report, took, cpu, parser_cpu, db_cpu = run([args.papers], vectors)
        n = report.read  # type: ignore[attr-defined]
        print(f"{label}: {report.summary()}")  # type: ignore[attr-defined]
        print(
            f"  {took:.1f} s, {n / took:,.0f} papers/s; CPU per paper: importer {cpu / n * 1e6:.0f} µs "
            f"+ its parser process {parser_cpu / n * 1e6:.0f} µs, "
            f"PostgreSQL backend {db_cpu / n * 1e6:.0f} µs; load after {load()}"
        )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB (max RSS)")
    if args.db == "sqlite":
        print(f"database: {(data / 'paperwire.sqlite3').stat().st_size / 2**20:,.0f} MiB")
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            print(f"database: {cursor.fetchone()[0] / 2**20:,.0f} MiB")
    if not args.keep:
        shutil.rmtree(data)


if __name__ == "__main__":
    main()
