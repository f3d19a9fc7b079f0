"""The papers a rendered page shows, for tags that ask the database once per page."""

from __future__ import annotations

from typing import Any

PAGE_HOLDERS = ("feed", "search", "foryou")  # context names of a feed, a search, a for-you page


def paper_ids_on_page(context: Any, paper: Any) -> set[int]:
    """Return the ids of every paper the page in context shows (a feed's papers, a search's
    hits, for-you's picks), paper's among them."""
    ids = {paper.pk}
    for name in PAGE_HOLDERS:
        holder = context.get(name)
        if holder is not None:
            ids |= {p.pk for p in getattr(holder, "papers", [])}
            ids |= {h.paper.pk for h in getattr(holder, "hits", [])}
            ids |= {h.paper.pk for h in getattr(holder, "picks", [])}
    return ids
