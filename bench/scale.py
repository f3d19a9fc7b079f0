"""Everything at one size: build the set, import it into SQLite and PostgreSQL, build the
indexes, time the pages, and load the front page with 50 concurrent anonymous clients.

    python bench/scale.py SIZE [--db sqlite,postgres] [--pg-url URL] [--out DIR]
                               [-n 50] [--clients 50] [--seconds 10] [--workers 2]

The set (bench/scale_data.py) and each database's data dir live under --out (default
data/scale/, gitignored); PostgreSQL's database is dropped and made anew. Each step runs the
real commands (`paperwire import --vectors`, `paperwire index`, `paperwire serve`) in child
processes on loopback. Figures: import papers/s, index build seconds and size, server-time
p50/p95 of each page (page cache off: the cost of rendering), and front-page requests/s with
latency percentiles through `wrk` (Debian's; a Python client when wrk is missing), page cache
on, then each web worker's PSS and private memory once every worker has served every timed
page. --reuse times the pages of an earlier run's database and index files again (no build). Note the
machine's load (printed) beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from _setup import ROOT

PAPERWIRE = [sys.executable, "-m", "paperwire"]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pw_scale_bench"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def step(what: str, cmd: list[str], env: dict[str, str]) -> float:
    """Run one command to its end; return its seconds (fail loudly with its output)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return took


def fresh_postgres(url: str) -> None:
    """Drop and create the bench database named by url."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=5) as r:  # noqa: S310  # our own loopback server
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server at {url} did not answer within {seconds:.0f} s")


def throughput(url: str, clients: int, seconds: int) -> str:
    """Return requests/s and latency percentiles of `clients` anonymous readers of url."""
    wrk = shutil.which("wrk")
    if wrk:
        # Warm up first: each worker loads the query model in a thread after it starts, and
        # renders each page once; what is measured is the steady state readers meet.
        subprocess.run([wrk, f"-c{clients}", "-t2", "-d5s", url], capture_output=True, check=True, timeout=70)
        out = subprocess.run(
            [wrk, f"-c{clients}", "-t2", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
        keep = [
            line.strip()
            for line in out.splitlines()
            if line.strip().startswith(("50%", "99%", "Requests/sec", "Non-2xx", "Socket"))
        ]
        return "; ".join(keep)
    from _loadclient import run_clients

    return run_clients(url, clients, seconds)


def memory_mib(pid: int) -> tuple[float, float]:
    """Return a process's proportional memory (PSS) and its private memory (USS) in MiB, from
    /proc/PID/smaps_rollup. PSS counts its share of the memory-mapped index files, which every
    worker of the node maps once through the page cache; USS is what the process alone holds."""
    kib = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            kib[name] = int(rest.split()[0])
    return kib.get("Pss", 0) / 1024, (kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)) / 1024


def worker_memory(base: str, server: subprocess.Popen, pages: list[str], workers: int) -> str:
    """Return each web worker's PSS after every worker has served the timed pages and searches."""
    for _ in range(workers * 3):  # gunicorn spreads requests: each worker sees each page
        for page in pages:
            with urlopen(base + page.replace(" ", "%20"), timeout=120) as r:  # noqa: S310  # loopback
                r.read()
    kids = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False)
    each = sorted(memory_mib(int(k)) for k in kids.stdout.split())
    master = memory_mib(server.pid)
    return (
        "PSS "
        + ", ".join(f"{pss:.0f}" for pss, _ in each)
        + " MiB, private "
        + ", ".join(f"{uss:.0f}" for _, uss in each)
        + f" MiB (master PSS {master[0]:.0f} MiB)"
    )


def run_one(db: str, size: int, papers: Path, vectors: Path, args: argparse.Namespace) -> dict:
    data = args.out / f"{db}-{size}"
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data), "DATABASE_URL": ""}
    if db == "postgres":
        env["DATABASE_URL"] = args.pg_url
    figures: dict = {"db": db, "papers": size}
    if not args.reuse:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        if db == "postgres":
            fresh_postgres(args.pg_url)
        step("migrate", [*PAPERWIRE, "migrate", "-v0"], env)
        took = step("import", [*PAPERWIRE, "import", str(papers), "--vectors", str(vectors)], env)
        figures.update(import_s=round(took, 1), import_per_s=round(size / took))
        # What an operator runs after a bulk import (autovacuum would, later): planner statistics.
        refresh = "from paperwire.papers.maintenance import refresh_statistics as r; print(r().summary())"
        figures["statistics_s"] = round(step("statistics", [*PAPERWIRE, "shell", "-c", refresh], env), 1)
        figures["index_s"] = round(step("index", [*PAPERWIRE, "index", "--rebuild"], env), 1)
    else:  # the database and index files of an earlier run, brought up to this code's migrations
        step("migrate", [*PAPERWIRE, "migrate", "-v0"], env)
    search = data / "search"
    figures["index_mib"] = round(sum(f.stat().st_size for f in search.rglob("*") if f.is_file()) / 2**20, 1)
    measured = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_pages.py"), "-n", str(args.n)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures["pages"] = json.loads(measured.stdout.splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [*PAPERWIRE, "serve", "--no-jobs", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        front = f"http://127.0.0.1:{port}/"
        wait_up(front)
        figures["front_page"] = throughput(front, args.clients, args.seconds)
        figures["worker_pss"] = worker_memory(front[:-1], server, list(figures["pages"]), args.workers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", type=int)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("PAPERWIRE_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "scale")
    parser.add_argument("-n", type=int, default=50, help="requests per page for the p95")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reuse", action="store_true", help="time an earlier run's database and index files again"
    )
    args = parser.parse_args()
    from scale_data import build

    start = time.perf_counter()
    papers, vectors = build(args.size, args.out, layout="kaggle")
    print(f"set: {papers} ({time.perf_counter() - start:.0f} s); {os.cpu_count()} cores, load {load()}")
    for db in args.db.split(","):
        figures = run_one(db, args.size, papers, vectors, args)
        pages = figures.pop("pages")
        told = {k: v for k, v in figures.items() if k not in ("front_page", "worker_pss")}
        print(f"\n{db}: " + ", ".join(f"{k} {v}" for k, v in told.items()))
        print(f"  {'page':54} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
        for url, (p50, p95, cpu) in pages.items():
            print(f"  {url[:54]:54} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")
        print(f"  front page, {args.clients} clients, {args.workers} workers: {figures['front_page']}")
        print(f"  web-worker memory after every page above: {figures['worker_pss']}")
        print(f"  load now {load()}")


if __name__ == "__main__":
    main()
