"""The search page (and its JSON twin)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from paperwire.citations.exports import maybe_export
from paperwire.papers.serialize import paper_json
from paperwire.papers.visibility import split
from paperwire.params import page_number

from . import engine
from .engine import SearchPage
from .metering import metered_mode


def scores_json(hit: engine.Hit) -> dict[str, Any]:
    """Return a hit's per-list ranks and scores."""
    s = hit.scores
    return {
        "keyword_rank": s.keyword_rank,
        "keyword_score": s.keyword_score,
        "vector_rank": s.vector_rank,
        "vector_score": s.vector_score,
        "fused": s.fused,
        "pinned": s.pinned,
    }


def page_json(page: SearchPage, request: HttpRequest | None = None) -> dict[str, Any]:
    """Return a search page as JSON."""
    return {
        "query": page.query,
        "mode": page.mode,
        "sort": page.sort,
        "offset": page.offset,
        "limit": page.limit,
        "total": page.total,
        "vectors_used": page.vectors_used,
        "results": [
            {**paper_json(h.paper, request), "snippet": h.snippet, "scores": scores_json(h)}
            for h in page.hits
        ],
    }


def search_page(request: HttpRequest) -> HttpResponse:
    """Show the papers that match ?q= (same cards as the feed, searched words marked)."""
    q = request.GET.get("q", "")
    sort = request.GET.get("sort", "relevance")
    number = page_number(request)
    mode = metered_mode(request, q, request.GET.get("mode", "hybrid"))
    size = settings.PAGE_SIZE

    def fetch(limit: int) -> list[Any]:
        found = engine.search(q, mode=mode, sort=sort, limit=min(limit, engine.MAX_DEPTH))
        return [hit.paper for hit in found.hits]

    exported = maybe_export(request, fetch, f"Papers matching “{q}”", "search")
    if exported is not None:
        return exported
    page = engine.search(q, mode=mode, sort=sort, offset=(number - 1) * size, limit=size)
    kept = split(
        request.user, page.hits, reveal=request.GET.get("show_hidden") == "1", paper_of=lambda h: h.paper
    )
    page.hits = kept.shown
    if request.GET.get("format") == "json":
        return JsonResponse({**page_json(page, request), "hidden": kept.hidden})
    ctx = {
        "hidden": kept.hidden,
        "search": page,
        "search_query": page.parsed.raw,
        "terms": sorted(page.terms),
        "page": number,
        "pages": max((page.total + size - 1) // size, 1),
        "sorts": engine.SORTS,
    }
    return render(request, "search/results.html", ctx)
