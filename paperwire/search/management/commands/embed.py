"""`paperwire embed`: embed the papers that have no vector yet, then update the vector index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperwire.progress import progress_bar
from paperwire.search.jobs import embed_missing, papers_to_embed
from paperwire.search.store import update_vectors


class Command(BaseCommand):
    help = (
        "Embed papers without a current vector (all-MiniLM-L6-v2), in batches, then update the vector index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
        parser.add_argument("--batch", type=int, default=64, help="papers per forward pass (default 64)")
        parser.add_argument("--limit", type=int, default=None, help="embed at most this many papers")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if opts["device"] == "cuda":
            try:
                import torch
            except ImportError:
                raise CommandError("--device cuda needs torch: pip install 'paperwire[gpu]'") from None

            if not torch.cuda.is_available():
                raise CommandError("--device cuda: no CUDA device is available to this torch build")
        total = len(papers_to_embed())
        if opts["limit"] is not None:
            total = min(total, opts["limit"])
        with progress_bar("embedding", "papers") as bar:
            task = bar.add_task("embed", total=total)
            report = embed_missing(
                device=opts["device"],
                batch=opts["batch"],
                limit=opts["limit"],
                progress=lambda n: bar.advance(task, n),
            )
        self.stdout.write(report.summary())
        added, _, count = update_vectors()
        self.stdout.write(f"vector index: {added} vector(s) written, {count} in all")
