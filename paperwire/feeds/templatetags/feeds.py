"""Template tags for the feed and search pages: the feeds a page links."""

from __future__ import annotations

from django import template

from paperwire.feeds.feeds import alternates, search_alternates

register = template.Library()


@register.simple_tag
def feed_alternates(kind: str, category: str) -> list[dict[str, str]]:
    """Return the <link rel="alternate"> targets of a feed page."""
    return alternates(kind or "", category or "")


@register.simple_tag
def search_feed_alternates(query: str, sort: str, mode: str) -> list[dict[str, str]]:
    """Return the <link rel="alternate"> targets of a search page."""
    return search_alternates(query or "", sort or "relevance", mode or "hybrid")
