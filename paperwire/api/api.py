"""The JSON API: the Hugging Face papers dialect at /api, native endpoints under /api/v1."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

from paperwire.papers import queries, trending
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.periods import BadPeriod, Period, parse_period
from paperwire.params import MAX_PAGE

from .hf import MAX_LIMIT, daily_item, flat_paper
from .listing import next_link
from .listing import router as listing_router
from .search import hf_search
from .search import router as search_router

api = NinjaAPI(title="paperwire API", version="1", urls_namespace="api")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    """Answer malformed parameters with 400 and what was wrong with each (not ninja's 422)."""
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
        for e in exc.errors
    ]
    return JsonResponse({"error": "; ".join(problems)}, status=400)


class DailyParams(Schema):
    p: int = Field(0, ge=0, le=MAX_PAGE)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
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
        return trending.window(latest)
    return Period("range", dt.date(1, 1, 1), latest)


@api.get("/daily_papers", summary="Daily papers (Hugging Face dialect)")
def daily_papers(
    request: HttpRequest, response: HttpResponse, params: Query[DailyParams]
) -> list[dict[str, Any]]:
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
    if len(page.papers) == params.limit:  # a full page: there may be more
        query = {k: v for k, v in request.GET.items() if k != "p"}
        response["Link"] = next_link(request, **query, p=params.p + 1)
    return [daily_item(paper) for paper in page.papers]


# Registered before /papers/{path:arxiv_id}, whose catch-all path would swallow /papers/search.
api.get("/papers/search", summary="Search papers (Hugging Face dialect)")(hf_search)
api.add_router("/v1", search_router)
api.add_router("", listing_router)
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
