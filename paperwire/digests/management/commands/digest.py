"""`paperwire digest [--period 2026-07-01|2026-W27]`: send the digests that are due, now."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console

from paperwire.digests.sending import DigestReport, TransportDown, parse_digest_period, run_due, send_period
from paperwire.papers.periods import BadPeriod
from paperwire.progress import progress_bar


class Command(BaseCommand):
    help = "Send the due digests: the last weekday's and the last ISO week's, or a named period's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", help="a day (2026-07-01, daily subscribers) or ISO week (2026-W27, weekly)"
        )
        # Gone: the background pass of `paperwire worker` sends the due digests every minute.
        parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(file=self.stdout, soft_wrap=True)  # type: ignore[arg-type]  # a text stream
        if opts["loop"]:
            raise CommandError(
                "digest --loop is gone: `paperwire worker` (started by `paperwire serve`) sends "
                "the due digests in its background pass"
            )
        with progress_bar("sending digests") as bar:
            task = bar.add_task("digest", total=None)
            try:
                if opts["period"]:
                    period = parse_digest_period(opts["period"])
                    report = send_period(
                        period,
                        now=timezone.now(),
                        progress=lambda n: bar.advance(task, n),
                        total=lambda n: bar.update(task, total=n),
                    )
                else:
                    report = run_due(now=timezone.now())
            except BadPeriod as e:
                raise CommandError(str(e)) from None
            except TransportDown as e:
                raise CommandError(str(e)) from None
        print_report(console, report)


def print_report(console: Console, report: DigestReport) -> None:
    """Print what a digest run did."""
    console.print(report.summary(), markup=False, highlight=False)
    for note in report.notes:
        console.print(f"  {note}", markup=False, highlight=False)
