"""Page speed with a community: a paper page with 200 comments and the trending sort.

Builds a fresh SQLite database (or uses DATABASE_URL) with the bundled demo set (3,390 papers),
80 members, random votes and a 200-comment discussion, then times requests through Django's
WSGI handler (server time: routing, queries, templates; no network) and prints median, p95
and throughput for each page. Run: `.venv/bin/python bench/community_pages.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PAPERWIRE_DATA_DIR", tempfile.mkdtemp(prefix="paperwire-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
os.environ.setdefault("PAPERWIRE_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from paperwire.community import comments, votes  # noqa: E402
from paperwire.papers.models import Paper  # noqa: E402

MEMBERS = 80
COMMENTS = 200
SAMPLE = [
    "Nice result. The ablation in **Table 3** is what convinced me.",
    "Has anyone tried this with `bf16`? The appendix says fp32 only.\n\n> We leave this to future work.",
    "Related: [an earlier paper](https://arxiv.org/abs/2301.00001) did something similar for vision.",
    "1. The baseline is weak\n2. The dataset is small\n3. Still, a clever trick",
]


def setup() -> tuple[Paper, Client, Client]:
    """Fill the database and return the discussed paper, an anonymous and a member's client."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup speed only
    call_command("migrate", verbosity=0)
    if not Paper.objects.exists():
        call_command("import", str(ROOT / "paperwire" / "demo" / "papers.jsonl.gz"), verbosity=0)
    users = []
    user_model = get_user_model()
    for i in range(MEMBERS):
        user, created = user_model.objects.get_or_create(username=f"bench{i:03d}", email=f"b{i}@example.org")
        if created:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        users.append(user)
    rng = random.Random(5)
    latest = Paper.objects.order_by("-listing_day").values_list("listing_day", flat=True).first()
    day_papers = list(Paper.objects.filter(listing_day=latest))
    month_papers = list(Paper.objects.filter(listing_day__month=latest.month, listing_day__year=latest.year))
    for paper in rng.sample(month_papers, min(300, len(month_papers))):
        for user in rng.sample(users, rng.randint(1, 12)):
            votes.set_vote(user, paper, True)
    paper = day_papers[0]
    if paper.num_comments < COMMENTS:
        tops = []
        for i in range(COMMENTS):
            parent = rng.choice(tops).pk if tops and i % 3 == 2 else None
            c = comments.create(users[i % MEMBERS], paper, SAMPLE[i % len(SAMPLE)] + f" ({i})", parent)
            if parent is None:
                tops.append(c)
    paper.refresh_from_db()
    member = Client()
    member.force_login(users[0])
    return paper, Client(), member


def measure(client: Client, url: str, runs: int) -> tuple[list[float], list[float]]:
    """Return the wall and CPU milliseconds of each of runs requests (after a few warm-ups).

    CPU time is this process's own work: on a busy machine the wall time also counts the
    time spent waiting for a core, which says more about the neighbours than about the page.
    """
    for _ in range(5):
        assert client.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        assert response.status_code == 200
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    t0 = time.perf_counter()
    paper, anonymous, member = setup()
    latest = paper.listing_day
    week = latest.isocalendar()
    print(
        f"database: {connection.vendor}; papers: {Paper.objects.count()}, paper page comments: "
        f"{paper.num_comments}; setup {time.perf_counter() - t0:.0f} s; {args.runs} runs each"
    )
    pages = [
        ("paper page, 200 comments, anonymous", anonymous, f"/papers/{paper.arxiv_id}"),
        ("paper page, 200 comments, member", member, f"/papers/{paper.arxiv_id}"),
        ("day feed, sort=trending, member", member, f"/papers/date/{latest:%Y-%m-%d}?sort=trending"),
        ("week feed, sort=trending", anonymous, f"/papers/week/{week[0]}-W{week[1]:02d}?sort=trending"),
        ("month feed, sort=trending", anonymous, f"/papers/month/{latest:%Y-%m}?sort=trending"),
        ("api daily_papers sort=trending", anonymous, "/api/daily_papers?sort=trending&limit=50"),
    ]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'cpu p50':>8} {'cpu p95':>8}")
    worst = 0.0
    for name, client, url in pages:
        times, cpu = measure(client, url, args.runs)
        p95 = statistics.quantiles(times, n=20)[-1]
        worst = max(worst, p95)
        cpu95 = statistics.quantiles(cpu, n=20)[-1]
        print(
            f"{name:<40} {statistics.median(times):>10.1f} {p95:>8.1f} {1000 / statistics.mean(times):>7.0f}"
            f" {statistics.median(cpu):>8.1f} {cpu95:>8.1f}"
        )
    print(f"worst p95: {worst:.1f} ms (target ≤ 30 ms); load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
