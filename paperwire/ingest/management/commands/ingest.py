"""`paperwire ingest arxiv|oai|hf`: pull papers from arXiv's API, its OAI-PMH feed or the HF daily list."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from paperwire.ingest import arxiv, hf, oai
from paperwire.ingest.client import IngestError
from paperwire.ingest.hooks import Hooks
from paperwire.ingest.report import IngestReport
from paperwire.ingest.runs import finish_run, heartbeat, start_command_run
from paperwire.progress import progress_bar

MAX_REASONS = 20  # invalid records listed one by one before the rest are only counted


def day(text: str) -> dt.date:
    """Parse a YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def print_report(console: Console, report: IngestReport) -> None:
    """Print what an ingestion did: counts, notes, invalid records with reasons, the error."""
    for note in report.notes:
        console.print(note, markup=False, highlight=False)
    console.print(f"{report.source}: {report.summary()}", markup=False, highlight=False)
    for reason in report.reasons[:MAX_REASONS]:
        console.print(f"  invalid {reason}", markup=False, highlight=False)
    if report.invalid > MAX_REASONS:
        console.print(f"  … and {report.invalid - MAX_REASONS} more invalid records")


class Command(BaseCommand):
    help = "Ingest papers from the arXiv query API, arXiv OAI-PMH or the Hugging Face daily papers list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True, metavar="{arxiv,oai,hf}")
        a = sub.add_parser("arxiv", help="the arXiv query API: categories' newest papers, or given ids")
        a.add_argument("--category", action="append", default=[], help="e.g. cs.LG (repeatable)")
        a.add_argument(
            "--id", action="append", default=[], dest="ids", help="an arXiv id or abs/pdf URL (repeatable)"
        )
        a.add_argument(
            "--since", type=day, help="go back to papers updated on or after this day (YYYY-MM-DD)"
        )
        a.add_argument("--page-size", type=int, default=arxiv.PAGE_SIZE)
        a.add_argument("--max-pages", type=int, default=None)
        o = sub.add_parser("oai", help="bulk harvest through OAI-PMH ListRecords (resumable)")
        o.add_argument("--set", default="", dest="set_spec", help="e.g. cs or physics:hep-th")
        o.add_argument("--from", type=day, dest="from_date")
        o.add_argument("--until", type=day, dest="until_date")
        o.add_argument("--format", choices=oai.FORMATS, default="arXivRaw", dest="metadata_prefix")
        o.add_argument("--restart", action="store_true", help="forget the stored position and start over")
        o.add_argument(
            "--max-pages", type=int, default=None, help="stop after this many pages (rerun to go on)"
        )
        h = sub.add_parser("hf", help="the Hugging Face daily papers list with its upvotes")
        h.add_argument("--date", type=day)
        h.add_argument("--week", default="", help="YYYY-Www, e.g. 2025-W09")
        h.add_argument("--month", default="", help="YYYY-MM")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(file=self.stdout, stderr=False, width=200)  # type: ignore[arg-type]
        source = opts["source"]
        params = {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in opts.items()
            if k
            in {
                "category",
                "ids",
                "since",
                "set_spec",
                "from_date",
                "until_date",
                "metadata_prefix",
                "date",
                "week",
                "month",
            }
            and v not in (None, "", [])
        }
        if source == "arxiv" and not (opts["category"] or opts["ids"]):
            raise CommandError("name at least one --category or --id")
        run = start_command_run(source, params)
        with progress_bar(f"ingesting {source}", "records") as bar:
            task = bar.add_task(source, total=None)
            hooks = Hooks(
                advance=lambda n: bar.advance(task, n),
                total=lambda t: bar.update(task, total=t),
                note=lambda line: bar.console.print(line, markup=False, highlight=False),
                page_done=lambda report: heartbeat(run, report),
            )
            try:
                report = self._run(source, opts, hooks)
            except IngestError as e:
                report = IngestReport(source, error=str(e))
            except Exception as e:
                report = IngestReport(source, error=f"unexpected {type(e).__name__}: {e}")
                finish_run(run, report)
                raise
        finish_run(run, report)
        print_report(console, report)
        if report.error:
            raise CommandError(
                f"{source} ingestion stopped: {report.error} "
                "(pages already written are kept; run the command again to go on)"
            )

    def _run(self, source: str, opts: dict[str, Any], hooks: Hooks) -> IngestReport:
        if source == "arxiv":
            report = IngestReport("arxiv")
            if opts["ids"]:
                report.merge(arxiv.ingest_ids(opts["ids"], hooks=hooks))
            if opts["category"] and not report.error:
                report.merge(
                    arxiv.ingest_categories(
                        opts["category"],
                        since=opts["since"],
                        page_size=opts["page_size"],
                        max_pages=opts["max_pages"],
                        hooks=hooks,
                    )
                )
            return report
        if source == "oai":
            return oai.harvest(
                set_spec=opts["set_spec"],
                from_date=opts["from_date"],
                until_date=opts["until_date"],
                metadata_prefix=opts["metadata_prefix"],
                restart=opts["restart"],
                max_pages=opts["max_pages"],
                hooks=hooks,
            )
        return hf.ingest(date=opts["date"], week=opts["week"], month=opts["month"], hooks=hooks)
