"""The progress bar every long job shows on the terminal (stderr, so reports on stdout stay clean)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Show how many units a second the task goes (rich's own speed column counts bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """Return e.g. "5,210 papers/s" (blank until rich has measured a speed)."""
        return Text(f"{task.speed:,.0f} {self.unit}/s" if task.speed else "")


def progress_bar(action: str, unit: str = "", *, rate: bool = False) -> Progress:
    """Return a transient bar reading e.g. "importing ━━━━ 1200/3390 papers 0:00:02" (rate: and
    "5,210 papers/s" with the time left)."""
    columns: list[ProgressColumn] = [TextColumn(action), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    if rate:
        columns += [RateColumn(unit or "items"), TimeRemainingColumn()]
    columns.append(TimeElapsedColumn())
    # rich measures speed over the last speed_estimate_period seconds: a minute smooths batches.
    return Progress(*columns, console=Console(stderr=True), transient=True, speed_estimate_period=60)
