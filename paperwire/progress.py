"""The progress bar every long job shows on the terminal (stderr, so reports on stdout stay clean)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(action: str, unit: str = "") -> Progress:
    """Return a transient bar reading e.g. "importing ━━━━ 1200/3390 papers 0:00:02"."""
    columns = [TextColumn(action), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True), transient=True)
