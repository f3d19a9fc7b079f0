"""`paperwire index [--rebuild]`: bring the keyword and vector index files up to date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paperwire.progress import progress_bar
from paperwire.search.store import update_indexes


class Command(BaseCommand):
    help = "Update the search indexes from the database (incrementally; --rebuild: from scratch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="rebuild both indexes from scratch")

    def handle(self, *args: Any, **opts: Any) -> None:
        with progress_bar("indexing", "rows") as bar:
            task = bar.add_task("index", total=None)
            report = update_indexes(rebuild=opts["rebuild"], progress=lambda n: bar.advance(task, n))
        self.stdout.write(report.summary())
