"""`paperwire worker`: run the configured daily ingestion in a loop (or once)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paperwire.ingest.schedule import loop, run_due


class Command(BaseCommand):
    help = (
        "Run the configured daily ingestion (PAPERWIRE_INGEST_*) in a loop, each run claimed in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="seconds between checks (default 60)"
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
            runs = run_due(note=note)
            if not runs:
                note("nothing due (or another worker has it)")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        note(f"paperwire worker: checking for due ingestion every {opts['interval']:.0f} s")
        loop(stop=stop, interval=opts["interval"], parent_pid=opts["parent_pid"], note=note)
