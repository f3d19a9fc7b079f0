"""Saved searches: what the settings page changes, and the new matches of a saved search
that go into a digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse

from paperwire.papers.models import Paper
from paperwire.papers.periods import Period
from paperwire.search import engine, querylang

from .models import SavedSearch, new_feed_token

log = logging.getLogger(__name__)

NAME_CHARS = 100  # SavedSearch.name's length
MAX_SAVED = 100  # saved searches per member: enough for anyone, and a bound on each digest's work


class BadSavedSearch(ValueError):
    """A saved search that cannot be stored as asked; the message says why, for people."""


def clean_name(raw: str) -> str:
    """Return raw as a one-line name: control characters removed, whitespace folded, cut."""
    return " ".join(querylang.CONTROL.sub(" ", raw or "").split())[:NAME_CHARS]


def _choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise BadSavedSearch(f"Choose a {what}: {', '.join(choices)}.")
    return value


def save_search(user: Any, *, name: str, query: str, sort: str, mode: str) -> SavedSearch:
    """Store a member's search under a name (the query itself when no name is given)."""
    # The same cleaning the search page applies, so the saved search finds what the page found.
    text = querylang.clean(query)
    if not text:
        raise BadSavedSearch("Search for something first, then save the search.")
    sort = _choice(sort or "relevance", engine.SORTS, "sort")
    mode = _choice(mode or "hybrid", engine.MODES, "mode")
    with transaction.atomic():
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED:
            raise BadSavedSearch(f"You have {MAX_SAVED} saved searches already; delete one first.")
        return SavedSearch.objects.create(
            user=user, name=clean_name(name) or clean_name(text), query=text, sort=sort, mode=mode
        )


def rename(saved: SavedSearch, name: str) -> SavedSearch:
    """Give a saved search a new, non-empty name."""
    clean = clean_name(name)
    if not clean:
        raise BadSavedSearch("Enter a name.")
    saved.name = clean
    saved.save(update_fields=["name"])
    return saved


def regenerate_token(saved: SavedSearch) -> SavedSearch:
    """Give a saved search new private feed URLs; the old ones answer 404 from now on."""
    saved.feed_token = new_feed_token()
    saved.save(update_fields=["feed_token"])
    return saved


def set_in_digest(saved: SavedSearch, on: bool) -> SavedSearch:
    """Turn a saved search's section of the member's digest on or off."""
    saved.in_digest = on
    saved.save(update_fields=["in_digest"])
    return saved


def search_path(query: str, sort: str, mode: str) -> str:
    """Return the path of the search page for a query, sort and mode."""
    return reverse("search") + "?" + urlencode({"q": query, "sort": sort, "mode": mode})


def run_search(query: str, sort: str, mode: str, *, limit: int) -> list[Paper]:
    """Return the first page of a search, exactly as the search page lists it."""
    page = engine.search(query, mode=mode, sort=sort, offset=0, limit=limit)
    return [hit.paper for hit in page.hits]


@dataclass
class NewMatches:
    """A saved search's papers listed in a period (the first few) and how many there are."""

    papers: list[Paper]
    total: int


def new_matches(query: str, period: Period, *, limit: int) -> NewMatches:
    """Return the papers listed in period that the query matches by its words and filters.

    "New" means listed in the digest's period (listing day from its first to its last day),
    within the query's own date filters. Matching is by keyword (mode=keyword): a search by
    meaning always has nearest papers, however far, so it would put every paper in the section.
    The best-ranked `limit` are kept, in trending order.
    """
    parsed = querylang.parse(query)
    start = max(period.start, parsed.date_from) if parsed.date_from else period.start
    end = min(period.end, parsed.date_to) if parsed.date_to else period.end
    if start > end or not (parsed.has_text or parsed.has_filters):
        return NewMatches([], 0)
    page = engine.search(
        query, mode="keyword", sort="trending", date_from=start, date_to=end, limit=limit, pin=False
    )
    return NewMatches([hit.paper for hit in page.hits], page.total)
