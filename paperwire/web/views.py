"""Feed and paper pages (papers with votes, comments, similar papers and feed links);
each also answers as JSON (?format=json) from the same dict."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.periods import BadPeriod, Period, parse_period
from paperwire.papers.serialize import feed_json, paper_json
from paperwire.papers.trending import SORTS
from paperwire.search.engine import similar


def wants_json(request: HttpRequest) -> bool:
    """Return whether the client asked for the page's JSON twin."""
    return request.GET.get("format") == "json"


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """Return a 400 page (or JSON) that says what was wrong."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        raise Http404("No such page")
    return int(raw)


def feed_context(request: HttpRequest, period: Period) -> dict[str, Any]:
    """Return everything a feed page shows; the HTML and the JSON twin both render this."""
    sort = request.GET.get("sort", "trending")
    if sort not in SORTS:
        sort = "trending"
    category = request.GET.get("category", "").strip()[:32]
    page = _page_number(request)
    size = settings.PAGE_SIZE
    after = request.GET.get("after", "")
    result = queries.feed(
        period, category=category, sort=sort, offset=(page - 1) * size, limit=size, after=after
    )
    if page > 1 and not result.papers:
        raise Http404("No such page")
    return {
        "feed": result,
        "page": page,
        "pages": max((result.total + size - 1) // size, 1),
        "categories": queries.categories_in(period),
        # The day, week and month around this period, for the Daily / Weekly / Monthly tabs.
        "tabs": {kind: period.containing_kind(kind).slug for kind in ("date", "week", "month")},
    }


def render_feed(request: HttpRequest, period: Period) -> HttpResponse:
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
