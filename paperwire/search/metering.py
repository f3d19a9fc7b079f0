"""Per-IP limits on searches: each search counts, and embedding the query counts again."""

from __future__ import annotations

from django.http import HttpRequest

from paperwire.ratelimits.limits import RateLimited, client_ip, consume


def metered_mode(request: HttpRequest, query: str, mode: str) -> str:
    """Count one search by the client and return the mode to run it in; raise RateLimited past
    the search limit. Past the (lower) embedding limit a hybrid search runs on keywords only."""
    who = f"ip:{client_ip(request)}"
    consume("search", who)
    if mode == "keyword" or not query.strip():
        return mode  # no query embedding: the cheap kind
    try:
        consume("search_embed", who)
    except RateLimited:
        if mode == "vector":
            raise
        return "keyword"
    return mode
