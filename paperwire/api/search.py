"""Search in the JSON API: the Hugging Face dialect (/api/papers/search) and the native /api/v1/search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from paperwire.search import engine
from paperwire.search.metering import metered_mode
from paperwire.search.views import page_json

from .hf import MAX_LIMIT, daily_item

MAX_OFFSET = 10_000  # deeper than anyone pages; keeps the ranking lists bounded
router = Router(tags=["search"])


class HfSearchParams(Schema):
    q: str = ""
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def hf_search(request: HttpRequest, params: Query[HfSearchParams]) -> list[dict[str, Any]]:
    """Return the papers matching q, best first, as daily-papers items (what HfApi.list_papers reads)."""
    if not 1 <= params.limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
    page = engine.search(params.q, mode=metered_mode(request, params.q, "hybrid"), limit=params.limit)
    return [daily_item(h.paper) for h in page.hits]


class SearchParams(Schema):
    q: str = ""
    mode: str = "hybrid"
    sort: str = "relevance"
    category: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


@router.get("/search", summary="Search papers (native)")
def native_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Return a page of results with each one's keyword rank, vector rank and fused score.

    `mode` is hybrid (default), keyword or vector; `sort` is relevance, newest or trending;
    `category` (cs.CV, or an archive such as cs) and `date_from`/`date_to` (listing day) filter.
    """
    if params.mode not in engine.MODES:
        raise HttpError(400, f"mode must be one of {', '.join(engine.MODES)}")
    if params.sort not in engine.SORTS:
        raise HttpError(400, f"sort must be one of {', '.join(engine.SORTS)}")
    if params.offset < 0 or not 1 <= params.limit <= MAX_LIMIT:
        raise HttpError(400, f"offset must be ≥ 0 and limit between 1 and {MAX_LIMIT}")
    page = engine.search(
        params.q,
        mode=metered_mode(request, params.q, params.mode),
        sort=params.sort,
        category=params.category,
        date_from=params.date_from,
        date_to=params.date_to,
        offset=params.offset,
        limit=params.limit,
    )
    return page_json(page, request)
