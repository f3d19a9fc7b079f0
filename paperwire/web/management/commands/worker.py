"""`paperwire worker`: run the background pass (ingestion, embedding, indexes, digests) in a loop, or once."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from paperwire.jobs import loop, run_pass


class Command(BaseCommand):
    help = (
        "Run the background pass in a loop: the due ingestion (claimed once across nodes), embedding, "
        "this node's search indexes, the due digests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one whole pass now, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help=f"seconds between passes (default PAPERWIRE_WORKER_INTERVAL, {settings.WORKER_INTERVAL:g})",
        )
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="stop when this process (the server that started the worker) is gone",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        def note(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        if opts["once"]:
            for line in run_pass(note=note).lines():
                note(line)
            return
        interval = settings.WORKER_INTERVAL if opts["interval"] is None else opts["interval"]
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        note(f"paperwire worker: one pass every {interval:g} s (ingestion, embedding, indexes, digests)")
        loop(stop=stop, interval=interval, parent_pid=opts["parent_pid"], note=note)
