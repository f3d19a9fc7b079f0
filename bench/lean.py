"""The lean-install figures: index upkeep on unchanged data, serve start, web-worker memory, install size.

    .venv/bin/python bench/lean.py --data-dir /tmp/pw-lean     # the shared sample, kept between runs
    .venv/bin/python bench/lean.py --install                   # venv size and the default install's list

With --data-dir, the shared sample is imported with its vectors (once), the indexes are
built, then `paperwire index` runs twice on the unchanged data (papers written, seconds);
`paperwire serve --no-jobs` starts with 2 and with 4 web workers and answers searches, and
each worker's proportional memory (PSS, from /proc/PID/smaps_rollup) is read after them.
--install prints the size of this venv and checks what `pip install --isolated --dry-run
--report` would install on plain PyPI: no torch, CUDA, triton, nor a package without a wheel.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "triton", "nvidia-", "cuda-", "sentence-transformers", "transformers")
SEARCHES = ["graph neural networks", "dark matter halos", "protein design with diffusion", "LLM safety"]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def index_upkeep() -> None:
    from django.core.management import call_command

    from paperwire.papers.models import Paper
    from paperwire.search.store import update_indexes

    call_command("migrate", verbosity=0)
    rows = search_data.load_sample()
    if Paper.objects.count() != len(rows):
        started = time.perf_counter()
        call_command(
            "import", str(search_data.SAMPLE), vectors=search_data.VECTORS, stdout=open("/dev/null", "w")
        )
        print(f"  import of {len(rows):,} papers with vectors: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    report = update_indexes(threads=1)
    print(f"  first index run: {time.perf_counter() - started:.1f} s — {report.summary()}")
    for run in (1, 2):
        out = io.StringIO()
        started = time.perf_counter()
        call_command("index", stdout=out)
        took = time.perf_counter() - started
        print(
            f"  paperwire index on unchanged data, run {run}: {took:.2f} s — {out.getvalue().strip()[-160:]}"
        )
    print(f"  ({load()})")


def pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def serve(data_dir: Path, workers: int, port: int) -> None:
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("paperwire")), "serve", "--no-jobs"]
        + ["--workers", str(workers), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        first = None
        while first is None and time.perf_counter() - started < 300:
            try:
                with urllib.request.urlopen(base + "/", timeout=30) as r:  # noqa: S310  # our own server
                    if r.status == 200:
                        first = time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        times = []
        for i in range(workers * 8):  # enough that each worker embeds and searches
            q = urllib.parse.quote(SEARCHES[i % len(SEARCHES)])
            t = time.perf_counter()
            with urllib.request.urlopen(f"{base}/search?q={q}", timeout=60) as r:  # noqa: S310
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        kids = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        pss = sorted(pss_kb(int(k)) / 1024 for k in kids)
        print(
            f"  serve, {workers} workers: first page {first or float('nan'):.1f} s after start; "
            f"search p50 {search_data.percentile(times, 50):.0f} ms; worker PSS "
            + ", ".join(f"{p:.0f}" for p in pss)
            + f" MiB (total {sum(pss):.0f} MiB, master {pss_kb(proc.pid) / 1024:.0f} MiB) ({load()})"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def install_figures() -> None:
    size = subprocess.run(["du", "-sm", sys.prefix], capture_output=True, text=True, check=True).stdout
    print(f"  this venv: {size.split()[0]} MiB ({sys.prefix}; the [test] extra included)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--isolated", "--dry-run", "--ignore-installed"]
            + ["--quiet", "--report", str(report), str(ROOT)],
            check=True,
        )
        items = json.loads(report.read_text())["install"]
    names = sorted(i["metadata"]["name"].lower() for i in items)
    heavy = [n for n in names if n.startswith(HEAVY)]
    sdists = [
        i["metadata"]["name"]
        for i in items
        if not i["download_info"]["url"].endswith(".whl") and i["metadata"]["name"] != "paperwire"
    ]
    print(f"  pip install --isolated --dry-run .: {len(names)} packages: {', '.join(names)}")
    print(f"  torch/CUDA/triton among them: {heavy or 'none'}; without a wheel: {sdists or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="run the sample figures on this data dir")
    ap.add_argument("--workers", default="2,4", help="web worker counts to measure")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--install", action="store_true", help="venv size and the default install's list")
    args = ap.parse_args()
    if args.install:
        install_figures()
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        search_data.setup_django(args.data_dir)
        print(f"sample in {args.data_dir}")
        index_upkeep()
        for n in (int(x) for x in args.workers.split(",") if x):
            serve(args.data_dir, n, args.port)


if __name__ == "__main__":
    main()
