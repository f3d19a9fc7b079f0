"""Render and deliver 10,000 digests to a local SMTP server (aiosmtpd, its own process); print the time.

    python bench/digest.py [-n 10000] [--members 1000] [--period 2026-07-01]

The demo set is imported into a fresh SQLite database (PostgreSQL when DATABASE_URL is set),
n confirmed daily subscribers are created, and `send_period` sends the period's digest to all
of them exactly as `paperwire digest --period` does: claimed in the database, one SMTP
connection per batch (PAPERWIRE_DIGEST_BATCH), marked sent one by one. The first `--members`
subscribers are members with three saved searches each (drawn from SAVED_QUERIES), so their
digests carry saved-search sections: the new matches of each query, searched once per run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _setup import ROOT, django_on, percentile

TARGET_S = 60.0  # for 10,000 digests on a 2-core machine
SAVED_PER_MEMBER = 3
SAVED_QUERIES = [
    "diffusion",
    "cat:cs.CV",
    "cat:cs.CL language model",
    '"reinforcement learning"',
    "graph neural network",
    "author:wang",
    "transformer -vision",
    "cat:cs.LG optimization",
    "benchmark evaluation",
    "robot manipulation",
    "medical image segmentation",
    "cat:cs.AI agents",
]


def serve(port: int) -> None:
    """Run an SMTP server that accepts and counts every message; print the count on stdin's EOF."""
    from aiosmtpd.controller import Controller

    class Count:
        n = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Count.n += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()  # the benchmark closes our stdin when it is done
    controller.stop()
    print(Count.n, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--period", default="2026-07-01")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout and server.stdout.readline().strip() == "ready"
    os.environ["PAPERWIRE_EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    django_on(Path(tempfile.mkdtemp(prefix="paperwire-bench-digest-")))
    import datetime as dt

    from django.contrib.auth import get_user_model

    from paperwire.digests.digest import content_for, digest_message
    from paperwire.digests.models import DigestSend, Subscription
    from paperwire.digests.sending import parse_digest_period, send_period
    from paperwire.feeds.models import SavedSearch
    from paperwire.papers.importer import import_files
    from paperwire.search.store import update_indexes

    import_files([ROOT / "paperwire" / "demo" / "papers.jsonl.gz"])
    update_indexes()  # the keyword index the saved-search sections are searched in
    confirmed = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"member{i}", email=f"reader{i}@example.org")
            for i in range(args.members)
        ],
        batch_size=1000,
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                email=f"reader{i}@example.org",
                status="active",
                confirmed_at=confirmed,
                user=users[i] if i < len(users) else None,
            )
            for i in range(args.n)
        ],
        batch_size=1000,
    )
    SavedSearch.objects.bulk_create(
        [
            SavedSearch(user=u, name=f"search {j}", query=SAVED_QUERIES[(i + j * 5) % len(SAVED_QUERIES)])
            for i, u in enumerate(users)
            for j in range(SAVED_PER_MEMBER)
        ],
        batch_size=1000,
    )
    period = parse_digest_period(args.period)

    # Rendering alone, per message (a sample of 500): both parts, headers, signed unsubscribe link.
    content = content_for(period)
    subs = list(Subscription.objects.filter(user__isnull=True)[:500])
    times = []
    for sub in subs:
        start = time.perf_counter()
        digest_message(sub, content).message().as_bytes()
        times.append((time.perf_counter() - start) * 1000)
    size = len(digest_message(subs[0], content).message().as_bytes())
    # A member's digest with its saved-search sections; the first of each query searches.
    member_times: list[float] = []
    for sub in Subscription.objects.filter(user__isnull=False)[:500]:
        start = time.perf_counter()
        digest_message(sub, content).message().as_bytes()
        member_times.append((time.perf_counter() - start) * 1000)
    content = content_for(period)  # the run below starts with no saved-search matches known

    start = time.perf_counter()
    report = send_period(period, now=dt.datetime.now(dt.UTC))
    took = time.perf_counter() - start
    assert server.stdin and server.stdout
    server.stdin.close()
    received = int(server.stdout.read().strip())
    server.wait(60)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sent_rows = DigestSend.objects.filter(status="sent").count()

    from django.conf import settings

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, batch {settings.DIGEST_BATCH}"
    )
    print(
        f"render one digest: p50 {statistics.median(times):.2f} ms, p95 {percentile(times, 95):.2f} ms, "
        f"{size / 1024:.1f} KiB, {report.papers} papers"
    )
    if member_times:
        print(
            f"render one member's digest with {SAVED_PER_MEMBER} saved-search sections: "
            f"p50 {statistics.median(member_times):.2f} ms, p95 {percentile(member_times, 95):.2f} ms "
            f"({len(SAVED_QUERIES)} distinct queries, each searched once)"
        )
    print(
        f"delivered {report.sent:,} digests, {min(args.members, args.n):,} with saved searches "
        f"({received:,} received, {sent_rows:,} marked sent) "
        f"in {took:.1f} s: "
        f"{report.sent / took:,.0f} messages/s, peak memory {peak_mib:.0f} MiB"
    )
    print(
        f"target ≤ {TARGET_S:.0f} s for 10,000: {'met' if took <= TARGET_S * args.n / 10_000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
