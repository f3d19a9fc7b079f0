"""The JSON API: the Hugging Face papers dialect at /api, native endpoints under /api/v1."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError

from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.periods import BadPeriod, Period, parse_period
from paperwire.search.api import hf_search
from paperwire.search.api import router as search_router

from .hf import daily_item, flat_paper

api = NinjaAPI(title="paperwire API", version="1", urls_namespace="api")

MAX_LIMIT = 100  # items per request; the Hub's own default is 50
TRENDING_DAYS = 7  # "trending" with no date ranks the last week of listings


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=exc.status_code)


class DailyParams(Schema):
    p: int = 0
    limit: int = 50
    date: str | None = None
    week: str | None = None
    month: str | None = None
    submitter: str | None = None
    sort: str = "publishedAt"


def _period(params: DailyParams) -> Period:
    named = [(k, v) for k, v in (("date", params.date), ("week", params.week), ("month", params.month)) if v]
    if len(named) > 1:
        raise HttpError(400, "give at most one of date, week and month")
    if named:
        kind, value = named[0]
        try:
            return parse_period(kind, value)
        except BadPeriod as e:
            raise HttpError(400, str(e)) from None
    latest = queries.latest_day() or dt.date.today()
    if params.sort == "trending":
        return Period("range", latest - dt.timedelta(days=TRENDING_DAYS - 1), latest)
    return Period("range", dt.date(1, 1, 1), latest)


@api.get("/daily_papers", summary="Daily papers (Hugging Face dialect)")
def daily_papers(request: HttpRequest, params: Query[DailyParams]) -> list[dict[str, Any]]:
    """Return a page of daily-papers items for a day, week or month, newest or trending first."""
    if params.sort not in ("publishedAt", "trending"):
        raise HttpError(400, "sort must be publishedAt or trending")
    if params.p < 0 or not 1 <= params.limit <= MAX_LIMIT:
        raise HttpError(400, f"p must be ≥ 0 and limit between 1 and {MAX_LIMIT}")
    period = _period(params)
    page = queries.feed(
        period,
        sort="trending" if params.sort == "trending" else "newest",
        offset=params.p * params.limit,
        limit=params.limit,
        submitter=(params.submitter or "").strip()[:150],
        with_neighbours=False,
        with_total=False,
    )
    return [daily_item(paper) for paper in page.papers]


# Registered before /papers/{path:arxiv_id}, whose catch-all path would swallow /papers/search.
api.get("/papers/search", summary="Search papers (Hugging Face dialect)")(hf_search)
api.add_router("/v1", search_router)
api.add_router("/v1/me", "paperwire.personal.api.router")


@api.get("/papers/{path:arxiv_id}", summary="One paper (Hugging Face dialect)")
def paper_info(request: HttpRequest, arxiv_id: str) -> dict[str, Any]:
    """Return one paper as a flat object; 404 when it is unknown."""
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise HttpError(404, "Paper not found") from None
    paper = queries.paper(parsed.id)
    if paper is None:
        raise HttpError(404, "Paper not found")
    return flat_paper(paper)
