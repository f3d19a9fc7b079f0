"""Callbacks a source calls as it works: progress for the bar, a page hook for the run record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .report import IngestReport


def _nothing(*args: object) -> None:
    return None


@dataclass
class Hooks:
    advance: Callable[[int], None] = _nothing  # records read
    total: Callable[[int | None], None] = _nothing  # records expected, when the service says
    note: Callable[[str], None] = _nothing  # a line for the person watching (retries, resumption)
    page_done: Callable[[IngestReport], None] = _nothing  # after each page is committed
