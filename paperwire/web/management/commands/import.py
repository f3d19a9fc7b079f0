"""`paperwire import PATH...`: load JSON Lines files of papers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from paperwire.papers.importer import ImportReport, StrictImportError, count_rows, import_files, is_gzip
from paperwire.papers.maintenance import refresh_statistics
from paperwire.progress import progress_bar

MAX_REASONS = 20  # invalid lines listed one by one before the rest are only counted
# Past this many written papers the planner's statistics are refreshed at the end (~10 s at
# 540k): without them PostgreSQL reads every row where the covering indexes would answer.
REFRESH_AFTER = 10_000


def print_report(console: Console, report: ImportReport) -> None:
    """Print an import report: counts, then the invalid lines with their reasons."""
    for path, layout in report.layouts.items():
        console.print(f"{path}: {layout} layout")
    for path, (line, records) in report.resumed.items():
        console.print(f"{path}: resumed after line {line:,} ({records:,} records read by an earlier run)")
    console.print(f"Imported {report.files} file(s): {report.summary()}")
    for path, line, reason in report.invalid[:MAX_REASONS]:
        console.print(f"  invalid {path}:{line}: {reason}", markup=False, highlight=False)
    if len(report.invalid) > MAX_REASONS:
        console.print(f"  … and {len(report.invalid) - MAX_REASONS} more invalid lines")


class Command(BaseCommand):
    help = "Import papers from JSON Lines files (plain or .gz; sample or Kaggle arXiv layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--strict", action="store_true", help="abort at the first invalid line, writing nothing"
        )
        parser.add_argument(
            "--vectors", type=Path, help="a .npy of sentence vectors, row i for record i (one PATH only)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(file=self.stdout, soft_wrap=True)  # type: ignore[arg-type]  # OutputWrapper writes like a text file
        paths: list[Path] = opts["paths"]
        # A file is counted first so the bar shows the time left: a plain one always (about 1 s
        # a GB), a gzip one only when the vectors check counts it anyway.
        counted = opts["vectors"] is not None or all(p.is_file() and not is_gzip(p) for p in paths)
        total = sum(count_rows(p) for p in paths if p.is_file()) if counted else None
        feeder = None
        if opts["vectors"] is not None:
            from paperwire.search.vectors_io import BadVectors, VectorFeeder, load_vectors

            if len(paths) != 1 or not paths[0].is_file():
                raise CommandError("--vectors goes with exactly one papers file that exists")
            try:
                feeder = VectorFeeder(load_vectors(opts["vectors"], paths[0], total))
            except BadVectors as e:
                raise CommandError(f"{e} (nothing was imported)") from None
        with progress_bar("importing", "papers", rate=True) as bar:
            task = bar.add_task("import", total=total)
            try:
                report = import_files(
                    paths, strict=opts["strict"], progress=lambda n: bar.advance(task, n), on_batch=feeder
                )
            except (StrictImportError, FileNotFoundError) as e:
                raise CommandError(str(e)) from None
        print_report(console, report)
        if feeder is not None:
            console.print(f"Stored {feeder.stored} vector(s) from {opts['vectors']}")
        if report.created + report.updated >= REFRESH_AFTER:
            console.print(refresh_statistics().summary())
