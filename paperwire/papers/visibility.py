"""Which papers a member does not want to see, asked by every surface that lists papers.

The rules themselves (mutes, "not interested") live in the personal app, above the apps that list
papers; it registers its `split` here when Django starts, so search, feeds and digests call down
to papers instead of up to personal. With nothing registered, nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Split:
    """Items to show, and how many were hidden (revealed ones stay in `shown`, listed in `revealed`)."""

    shown: list[Any]
    hidden: int = 0
    revealed: set[int] = field(default_factory=set)


Splitter = Callable[..., Split]
_splitter: Splitter | None = None


def register(splitter: Splitter) -> None:
    """Make splitter the one that decides what each member sees hidden."""
    global _splitter
    _splitter = splitter


def split(user: Any, items: Sequence[Any], *, reveal: bool = False, paper_of: Any = None) -> Split:
    """Return items without those hidden for the member (all of them, marked, when reveal is set)."""
    if _splitter is None:
        return Split(list(items))
    return _splitter(user, items, reveal=reveal, paper_of=paper_of)
