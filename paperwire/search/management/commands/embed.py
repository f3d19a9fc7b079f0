"""`paperwire embed`: embed the papers that have no vector yet, then update the vector index."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperwire.progress import progress_bar
from paperwire.search.jobs import count_to_embed, embed_missing
from paperwire.search.store import update_vectors

LARGE = 2_000  # papers above which a CPU run first measures itself and says how long it will take
PROBE = 128  # papers embedded to measure the pace (two forward passes of 64: the model's warm-up is in it)


def _duration(seconds: float) -> str:
    """Return seconds as e.g. "3 h 20 min" or "45 s"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


class Command(BaseCommand):
    help = (
        "Embed papers without a current vector (all-MiniLM-L6-v2), in batches, then update the vector index. "
        "Each step is stored as it is done: a rerun after an interruption goes on with the rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help="papers per forward pass (default 64 on cpu, 1024 on cuda)",
        )
        parser.add_argument("--limit", type=int, default=None, help="embed at most this many papers")
        parser.add_argument("--yes", action="store_true", help="start a long CPU backfill without asking")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["batch"] is not None and opts["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if opts["limit"] is not None and opts["limit"] < 0:
            raise CommandError("--limit must be 0 or more")
        device = opts["device"]
        if device == "cuda":
            try:
                import torch
            except ImportError:
                raise CommandError("--device cuda needs torch: pip install 'paperwire[gpu]'") from None

            if not torch.cuda.is_available():
                raise CommandError("--device cuda: no CUDA device is available to this torch build")
        total = count_to_embed()
        if opts["limit"] is not None:
            total = min(total, opts["limit"])
        done = 0
        started = time.monotonic()
        if device == "cpu" and total > LARGE:
            done = self._estimate(total, opts)
        with progress_bar("embedding", "papers", rate=True) as bar:
            task = bar.add_task("embed", total=total, completed=done)
            report = embed_missing(
                device=device,
                batch=opts["batch"],
                limit=None if opts["limit"] is None else opts["limit"] - done,
                progress=lambda n: bar.advance(task, n),
            )
        report.embedded += done
        report.seconds = time.monotonic() - started
        self.stdout.write(report.summary())
        added, _, count = update_vectors()
        self.stdout.write(f"vector index: {added} vector(s) written, {count} in all")

    def _estimate(self, total: int, opts: dict[str, Any]) -> int:
        """Embed a first few papers, say how long the rest will take on this CPU, and ask (a
        terminal) or go on (anything else); return how many papers were embedded."""
        probe = embed_missing(device="cpu", batch=opts["batch"], limit=PROBE)
        rate = probe.embedded / probe.seconds if probe.seconds else 0.0
        left = total - probe.embedded
        self.stdout.write(
            f"{total:,} papers to embed on the CPU; the first {probe.embedded} took {probe.seconds:.1f} s "
            f"({rate:.1f} papers/s), so the rest will take about {_duration(left / rate if rate else 0)}. "
            "A GPU does it at thousands a second: `paperwire embed --device cuda` (the [gpu] extra); "
            "or import the vectors beside the papers (`paperwire import --vectors`)."
        )
        if opts["yes"] or not sys.stdin.isatty():
            self.stdout.write("Going on (stop it any time: a rerun goes on where it stopped).")
            return probe.embedded
        answer = input("Go on? [y/N] ").strip().lower()
        if answer not in {"y", "yes"}:
            raise CommandError(f"stopped after {probe.embedded} papers; a rerun goes on with the rest")
        return probe.embedded
