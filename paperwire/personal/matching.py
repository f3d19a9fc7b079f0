"""Whether a paper answers a query or a phrase: shared by mute rules, followed queries and the library."""

from __future__ import annotations

import re
from typing import Any

from paperwire.search.querylang import ParsedQuery


def _phrase(text: str) -> re.Pattern[str]:
    """Return a pattern that finds a word or phrase as whole words, any case."""
    words = [re.escape(w) for w in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def matches(q: ParsedQuery, paper: Any) -> bool:
    """Return whether a paper answers a /search query: every word and phrase, filters, no excluded word."""
    text = f"{paper.title}\n{paper.abstract}"
    low = text.casefold()
    # Words match as the start of a word ("model" finds "models"), as the stemmed search does.
    if any(not re.search(r"(?<!\w)" + re.escape(w.casefold()), low) for w in q.words):
        return False
    if any(not _phrase(p).search(text) for p in q.phrases):
        return False
    if any(_phrase(w).search(text) for w in q.excluded):
        return False
    if q.authors and not all(
        any(a.casefold() in name.casefold() for name in paper.authors) for a in q.authors
    ):
        return False
    if q.categories and not any(c in paper.categories for c in q.categories):
        return False
    if q.date_from and paper.listing_day < q.date_from:
        return False
    return not (q.date_to and paper.listing_day > q.date_to)
