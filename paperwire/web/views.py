"""Feed and paper pages (papers with votes, comments, similar papers and feed links);
each also answers as JSON (?format=json) from the same dict."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from paperwire.citations.exports import maybe_export
from paperwire.middleware import bad_request
from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.periods import BadPeriod, Period, parse_period
from paperwire.papers.serialize import feed_json, paper_json
from paperwire.papers.trending import SORTS
from paperwire.papers.visibility import split
from paperwire.params import page_number, wants_json
from paperwire.search.engine import similar


def _sort_and_category(request: HttpRequest) -> tuple[str, str]:
    sort = request.GET.get("sort", "trending")
    return (sort if sort in SORTS else "trending"), request.GET.get("category", "").strip()[:32]


def feed_context(request: HttpRequest, period: Period) -> dict[str, Any]:
    """Return everything a feed page shows; the HTML and the JSON twin both render this."""
    sort, category = _sort_and_category(request)
    page = page_number(request)
    size = settings.PAGE_SIZE
    result = queries.feed(
        period,
        category=category,
        sort=sort,
        offset=(page - 1) * size,
        limit=size,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    if page > 1 and not result.papers:
        raise Http404("No such page")
    kept = split(request.user, result.papers, reveal=request.GET.get("show_hidden") == "1")
    result.papers = kept.shown
    return {
        "feed": result,
        "hidden": kept.hidden,
        "page": page,
        "pages": max((result.total + size - 1) // size, 1),
        "categories": queries.categories_in(period),
        # The day, week and month around this period, for the Daily / Weekly / Monthly tabs.
        "tabs": {kind: period.containing_kind(kind).slug for kind in ("date", "week", "month")},
    }


def feed_export(request: HttpRequest, period: Period) -> HttpResponse | None:
    """Return the whole period (in the page's sort and category) when an export format is asked."""
    sort, category = _sort_and_category(request)

    def fetch(limit: int) -> list[Any]:
        page = queries.feed(
            period, category=category, sort=sort, limit=limit, with_neighbours=False, with_total=False
        )
        return page.papers

    return maybe_export(request, fetch, f"Papers of {period.label}", f"papers-{period.slug}")


def render_feed(request: HttpRequest, period: Period) -> HttpResponse:
    exported = feed_export(request, period)
    if exported is not None:
        return exported
    try:
        ctx = feed_context(request, period)
    except queries.BadCursor as e:
        return bad_request(request, str(e))
    status = 200
    if ctx["feed"].total == 0 and not ctx["feed"].category:
        status = 404  # a day with nothing listed is unknown to this instance
    if wants_json(request):
        return JsonResponse(feed_json(ctx, request), status=status)
    return render(request, "papers/feed.html", ctx, status=status)


def home(request: HttpRequest) -> HttpResponse:
    """Show the latest listing day that has papers."""
    day = queries.latest_day()
    if day is None:
        if wants_json(request):
            return JsonResponse({"papers": [], "total": 0})
        return render(request, "papers/empty.html")
    return render_feed(request, parse_period("date", day.isoformat()))


def period_feed(request: HttpRequest, kind: str, value: str) -> HttpResponse:
    """Show the papers listed on a day, in an ISO week or in a month."""
    try:
        period = parse_period(kind, value)
    except BadPeriod as e:
        return bad_request(request, str(e))
    return render_feed(request, period)


def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Show everything known about one paper."""
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise Http404("No such paper") from None
    if parsed.id != arxiv_id:
        return redirect(reverse("paper", args=[parsed.id]))
    paper = queries.paper(parsed.id)
    if paper is None:
        raise Http404("No such paper")
    if wants_json(request):
        return JsonResponse(paper_json(paper, request))
    return render(request, "papers/detail.html", {"paper": paper, "similar": similar(paper)})
