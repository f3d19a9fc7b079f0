"""Short plain-text forms of a paper for e-mails and feeds: the abstract's start, the author line."""

from __future__ import annotations

ABSTRACT_CHARS = 280  # the start of an abstract shown under each title, cut at a word
AUTHORS_SHOWN = 4  # names listed before "and N more"


def abstract_start(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """Return the first limit characters of text, whitespace folded, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def author_line(authors: list[str]) -> str:
    """Return the first authors' names, and how many more there are."""
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    more = len(authors) - AUTHORS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
