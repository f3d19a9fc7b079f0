"""Quality and speed of /for-you on the shared sample, through the real view.

    python bench/for_you.py [--data-dir /tmp/pw-foryou-bench] [--extra 20000]

Quality: one simulated member per topic (a phrase; its papers are those that say it in the
title or abstract). Each saves n papers of the topic from the listing days before the test
week (n = 5, 15, 50) and marks 10 papers that do not mention it "not interested"; /for-you
of the test week is scored by precision@10 and nDCG@10 against the topic's papers of that
week, next to the trending order of the same week. Speed: /for-you (latest listing day,
model cached) for a member with 500 signals, and the training of that member's model.
The first run imports the sample with its vectors (and --extra copies of papers, to reach
135k) into the data dir and keeps it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _setup import django_on, percentile

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERWIRE_SHARED", ROOT.parent / "shared")) / "data"  # /work/shared in CI
TOPICS = {  # each has 12–40 papers in the test week and 100+ titles in the 120 days before it
    "gaussian splatting": r"gaussian splatting",
    "retrieval-augmented generation": r"retrieval[- ]augmented",
    "autonomous driving": r"autonomous driving",
    "speech": r"\bspeech\b",
    "point clouds": r"point cloud",
    "medical imaging": r"medical imag",
    "video generation": r"video generation",
    "remote sensing": r"remote sensing",
}
TEST_WEEK = "2026-W25"  # a full week near the end of the sample's listing days
SIGNALS = (5, 15, 50)
NEGATIVES = 10
K = 10


def prepare(extra: int) -> None:
    """Import the sample with its vectors, then `extra` copies of old papers under new ids."""
    from django.core.management import call_command

    from paperwire.papers.models import Paper
    from paperwire.search.models import PaperVector

    if not Paper.objects.exists():
        print("importing the sample with its vectors (once) …", flush=True)
        call_command(
            "import",
            str(SHARED / "arxiv-sample.jsonl.gz"),
            vectors=str(SHARED / "arxiv-sample.minilm-f16.npy"),
        )
    have = Paper.objects.filter(arxiv_id__startswith="2701.").count()
    if extra > have:
        print(f"adding {extra - have} copies of old papers to reach the target size …", flush=True)
        sources = list(
            Paper.objects.filter(listing_day__lt=dt.date(2020, 1, 1)).order_by("pk")[: extra - have]
        )
        vecs = dict(PaperVector.objects.filter(paper__in=sources).values_list("paper_id", "data"))
        for i, p in enumerate(sources, start=have + 1):
            old = p.pk
            p.pk = None
            p.arxiv_id = f"2701.{i:05d}"
            p.save()
            if old in vecs:
                PaperVector.objects.create(
                    paper=p,
                    model="all-MiniLM-L6-v2",
                    dim=384,
                    data=vecs[old],
                    text_hash="copy",
                    updated_at=p.modified_at,
                )


def topic_papers(pattern: str, start: dt.date, end: dt.date, title_only: bool = False) -> list[int]:
    from paperwire.papers.models import Paper

    rx = re.compile(pattern, re.IGNORECASE)
    rows = Paper.objects.filter(listing_day__range=(start, end), hidden=False).values_list(
        "pk", "title", "abstract"
    )
    return [pk for pk, t, a in rows if rx.search(t if title_only else f"{t} {a}")]


def ndcg(ranked: list[bool], relevant: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, rel in enumerate(ranked[:K]) if rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, relevant)))
    return dcg / ideal if ideal else 0.0


def quality() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paperwire.papers.models import Paper
    from paperwire.papers.periods import parse_period
    from paperwire.personal import signals

    week = parse_period("week", TEST_WEEK)
    before = (week.start - dt.timedelta(days=120), week.start - dt.timedelta(days=1))
    week_ids = dict(
        Paper.objects.filter(listing_day__range=(week.start, week.end)).values_list("arxiv_id", "pk")
    )
    trending = Client().get(f"/papers/week/{TEST_WEEK}?format=json").json()["papers"][:K]
    users = get_user_model().objects
    rng = random.Random(7)
    table: dict[int, list[tuple[float, float]]] = {n: [] for n in SIGNALS}
    base: list[tuple[float, float]] = []
    print(f"test week {TEST_WEEK}: {len(week_ids)} papers; signals from {before[0]} … {before[1]}")
    print(
        f"{'topic':32} {'in week':>7}  {'trend P@10':>10}  "
        + "  ".join(f"P@10/nDCG n={n:<3}" for n in SIGNALS)
    )
    for name, pattern in TOPICS.items():
        relevant = set(topic_papers(pattern, week.start, week.end))
        pool = topic_papers(pattern, *before, title_only=True)
        rng.shuffle(pool)
        others = list(Paper.objects.filter(listing_day__range=before).values_list("pk", flat=True)[:5000])
        rx = re.compile(pattern, re.IGNORECASE)
        texts = dict(Paper.objects.filter(pk__in=others).values_list("pk", "abstract"))
        unrelated = [pk for pk in others if not rx.search(texts[pk])]
        rng.shuffle(unrelated)
        t_rel = [week_ids.get(p["id"]) in relevant for p in trending]
        base.append((sum(t_rel) / K, ndcg(t_rel, len(relevant))))
        cells = []
        for n in SIGNALS:
            user = users.create_user(f"bench-{name[:20]}-{n}-{time.time_ns()}".replace(" ", "-"))
            for pk in pool[:n]:
                signals.set_saved(user, Paper(pk=pk), True)
            for pk in unrelated[:NEGATIVES]:
                signals.set_not_interested(user, Paper(pk=pk), True)
            client = Client()
            client.force_login(user)
            got = client.get(f"/for-you?week={TEST_WEEK}&format=json").json()["papers"][:K]
            rel = [week_ids.get(p["id"]) in relevant for p in got]
            p10, nd = sum(rel) / K, ndcg(rel, len(relevant))
            table[n].append((p10, nd))
            cells.append(f"{p10:4.2f} / {nd:4.2f}{'' if len(pool) >= n else '*':1}   ")
        print(f"{name:32} {len(relevant):7}  {base[-1][0]:10.2f}  " + "  ".join(cells))
    mean = lambda xs: statistics.mean(xs)  # noqa: E731
    print(
        f"{'mean':32} {'':7}  {mean([b[0] for b in base]):10.2f}  "
        + "  ".join(
            f"{mean([c[0] for c in table[n]]):4.2f} / {mean([c[1] for c in table[n]]):4.2f}    "
            for n in SIGNALS
        )
    )
    print(
        f"trending baseline nDCG@10: {mean([b[1] for b in base]):.2f}"
        "  (* fewer topic papers than n before the week)"
    )


def speed(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paperwire.papers import queries
    from paperwire.papers.models import Paper
    from paperwire.personal import model, signals

    user = get_user_model().objects.create_user(f"bench-speed-{time.time_ns()}")
    rx = re.compile(r"language model|LLM", re.IGNORECASE)
    rows = Paper.objects.filter(listing_day__gte=dt.date(2025, 6, 1)).values_list("pk", "title")[:20000]
    liked = [pk for pk, t in rows if rx.search(t)][:400]
    other = [pk for pk, t in rows if not rx.search(t)][:100]
    for pk in liked:
        signals.set_saved(user, Paper(pk=pk), True)
    for pk in other:
        signals.set_not_interested(user, Paper(pk=pk), True)
    trains, train_cpu = [], []
    model.train(
        signals.positive_ids(user), signals.negative_ids(user), seed=model.background_seed(user)
    )  # warm-up
    for _ in range(10):
        started, cpu = time.perf_counter(), time.process_time()
        model.train(signals.positive_ids(user), signals.negative_ids(user), seed=model.background_seed(user))
        trains.append((time.perf_counter() - started) * 1000)
        train_cpu.append((time.process_time() - cpu) * 1000)
    client = Client()
    client.force_login(user)
    client.get("/for-you")  # trains and keeps the model
    times, cpu_times = [], []
    for _ in range(n):
        started, cpu = time.perf_counter(), time.process_time()
        r = client.get("/for-you")
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
        assert r.status_code == 200
    day = queries.latest_day()
    on_day = Paper.objects.filter(listing_day=day).count()
    print(
        f"member with {len(liked)} saves + {len(other)} not interested; {Paper.objects.count():,} papers; "
        f"latest day {day}: {on_day} papers"
    )
    print(
        f"training: median {statistics.median(trains):.0f} ms, "
        f"p95 {percentile(trains, 95):.0f} ms (target ≤ 200)"
    )
    print(
        f"  CPU time of one training: median {statistics.median(train_cpu):.0f} ms, "
        f"p95 {percentile(train_cpu, 95):.0f} ms (what an idle core would take)"
    )
    print(
        f"/for-you (HTML, model kept): median {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 95):.1f} ms over {n} requests (target p95 ≤ 50)"
    )
    print(
        f"  CPU time per request: median {statistics.median(cpu_times):.1f} ms, "
        f"p95 {percentile(cpu_times, 95):.1f} ms"
    )
    times = []
    for _ in range(n // 2):
        started = time.perf_counter()
        client.get("/for-you?format=json")
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"/for-you?format=json: median {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "pw-foryou-bench")
    parser.add_argument("--extra", type=int, default=20_000, help="copies of old papers added (115k → 135k)")
    parser.add_argument("-n", type=int, default=100, help="requests timed")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    django_on(args.data_dir)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    prepare(args.extra)
    print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not args.skip_quality:
        quality()
    speed(args.n)
    print(f"load: {os.getloadavg()[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
