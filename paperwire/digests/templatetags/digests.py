"""Template tags for the feed pages: the feeds a page links."""

from __future__ import annotations

from django import template

from paperwire.digests.feeds import alternates

register = template.Library()


@register.simple_tag
def feed_alternates(kind: str, category: str) -> list[dict[str, str]]:
    """Return the <link rel="alternate"> targets of a feed page."""
    return alternates(kind or "", category or "")
