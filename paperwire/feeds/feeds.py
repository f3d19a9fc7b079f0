"""RSS 2.0 and Atom feeds of the daily and weekly lists, trending, each category, any search
and each saved search."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed

from paperwire.papers import queries, trending
from paperwire.papers.latex import plain_tex
from paperwire.papers.models import Paper
from paperwire.papers.periods import Period, period_containing
from paperwire.papers.text import abstract_start, author_line
from paperwire.papers.visibility import split
from paperwire.search import engine, querylang
from paperwire.search.metering import metered_mode
from paperwire.text import CleanAtom1Feed as Atom1Feed
from paperwire.text import CleanRss201rev2Feed as Rss201rev2Feed

from .queries import by_feed_token
from .saved import run_search, search_path

CATEGORY = re.compile(r"[A-Za-z-]{1,20}(\.[A-Za-z-]{1,20})?")


def feed_period(kind: str, category: str = "") -> Period | None:
    """Return the period a feed lists: the latest day, ISO week or 7 listing days that have papers."""
    latest = queries.latest_day(category)
    if latest is None:
        return None
    if kind == "trending":
        return trending.window(latest)
    return period_containing(kind, latest)


@dataclass(frozen=True)
class FeedTarget:
    """What one feed request lists: a period (None when there are no papers), a category, its path."""

    period: Period | None
    category: str
    path: str


class PaperFeed(Feed):
    """The first page of a feed page (trending order) as RSS 2.0; item ids are arXiv abs URLs."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    kind = "date"
    name = "Daily papers"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedTarget:
        category = kwargs.get("category", "")
        if category and not CATEGORY.fullmatch(category):
            raise Http404("No such category")
        period = feed_period(self.kind, category)
        if category and period is None:
            raise Http404("No papers in this category")
        return FeedTarget(period, category, request.path)

    def feed_url(self, obj: FeedTarget) -> str:
        return settings.BASE_URL + obj.path

    def title(self, obj: FeedTarget) -> str:
        return f"{self.name}{' in ' + obj.category if obj.category else ''} · paperwire"

    def link(self, obj: FeedTarget) -> str:
        period, category = obj.period, obj.category
        if period is None:
            return settings.BASE_URL + "/"
        name = {"date": "day", "week": "week"}.get(period.kind, "day")
        slug = period.slug if period.kind != "range" else period.end.isoformat()
        query = f"?category={category}" if category else ""
        return settings.BASE_URL + reverse(name, args=[slug]) + query

    def description(self, obj: FeedTarget) -> str:
        period, category = obj.period, obj.category
        where = f" in {category}" if category else ""
        when = f": {period.label}" if period and period.kind != "range" else ""
        return f"{self.name}{where}{when}, by upvotes"

    def subtitle(self, obj: FeedTarget) -> str:
        return self.description(obj)  # Atom's name for it; RSS uses the description

    def items(self, obj: FeedTarget) -> list[Paper]:
        period, category = obj.period, obj.category
        if period is None:
            return []
        return queries.feed(
            period,
            category=category,
            sort="trending",
            limit=settings.PAGE_SIZE,
            with_neighbours=False,
            with_total=False,
        ).papers

    def item_title(self, item: Paper) -> str:
        return plain_tex(" ".join(item.title.split()))

    def item_description(self, item: Paper) -> str:
        return abstract_start(plain_tex(item.abstract), 600)

    def item_link(self, item: Paper) -> str:
        return settings.BASE_URL + reverse("paper", args=[item.arxiv_id])

    def item_guid(self, item: Paper) -> str:
        return item.abs_url  # stable whatever the instance's address: the arXiv abs URL

    item_guid_is_permalink = False

    def item_author_name(self, item: Paper) -> str:
        return author_line(list(item.authors))

    def item_pubdate(self, item: Paper) -> dt.datetime:
        return dt.datetime.combine(item.listing_day, dt.time(0), dt.UTC)

    def item_categories(self, item: Paper) -> list[str]:
        return list(item.categories)


def alternates(kind: str, category: str) -> list[dict[str, str]]:
    """Return the feeds a feed page links (<link rel="alternate">): its own list, trending, its category."""
    own = {"date": ("daily", "Daily papers"), "week": ("weekly", "Weekly papers")}.get(kind)
    links = []
    if own:
        links += [
            {"type": t, "title": f"{own[1]} ({f})", "href": reverse(f"feeds:feed-{own[0]}-{f.lower()}")}
            for f, t in (("RSS", "application/rss+xml"), ("Atom", "application/atom+xml"))
        ]
    links += [
        {"type": t, "title": f"Trending papers ({f})", "href": reverse(f"feeds:feed-trending-{f.lower()}")}
        for f, t in (("RSS", "application/rss+xml"), ("Atom", "application/atom+xml"))
    ]
    if category and CATEGORY.fullmatch(category):
        links += [
            {
                "type": t,
                "title": f"{category} papers ({f})",
                "href": reverse(f"feeds:feed-category-{f.lower()}", args=[category]),
            }
            for f, t in (("RSS", "application/rss+xml"), ("Atom", "application/atom+xml"))
        ]
    return links


@dataclass(frozen=True)
class SearchTarget:
    """What a search feed lists: a query (cleaned like the search page's), its sort and mode."""

    query: str
    sort: str
    mode: str
    name: str = ""  # a saved search's name; empty for a public search feed
    token: str = ""  # a saved search's feed token


TITLE_QUERY_CHARS = 120  # of a long query, the feed's title shows this much


class SearchFeed(PaperFeed):
    """The first page of a search (as /search lists it) as RSS 2.0; public, any query."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> SearchTarget:  # type: ignore[override]
        # The search page's own cleaning (control characters out, 1,000 characters at most): XML
        # cannot carry control characters, and the feed must list what the page lists.
        query = querylang.clean(request.GET.get("q", ""))
        sort = request.GET.get("sort", "relevance")
        mode = metered_mode(request, query, request.GET.get("mode", "hybrid"))  # per-IP search limits
        return SearchTarget(
            query,
            sort if sort in engine.SORTS else "relevance",
            mode if mode in engine.MODES else "hybrid",
        )

    def _feed_path(self, obj: SearchTarget) -> str:
        params = urlencode({"q": obj.query, "sort": obj.sort, "mode": obj.mode})
        kind = "atom" if self.feed_type is Atom1Feed else "rss"
        return reverse(f"feeds:feed-search-{kind}") + "?" + params

    def feed_url(self, obj: SearchTarget) -> str:  # type: ignore[override]
        return settings.BASE_URL + self._feed_path(obj)

    def title(self, obj: SearchTarget) -> str:  # type: ignore[override]
        shown = obj.query[:TITLE_QUERY_CHARS] + ("…" if len(obj.query) > TITLE_QUERY_CHARS else "")
        return f"Papers matching “{shown}” · paperwire"

    def link(self, obj: SearchTarget) -> str:  # type: ignore[override]
        return settings.BASE_URL + search_path(obj.query, obj.sort, obj.mode)

    def description(self, obj: SearchTarget) -> str:  # type: ignore[override]
        return f"Search results by {obj.sort}"

    def items(self, obj: SearchTarget) -> list[Paper]:  # type: ignore[override]
        if not obj.query:
            return []
        return run_search(obj.query, obj.sort, obj.mode, limit=settings.PAGE_SIZE)


class SavedSearchFeed(SearchFeed):
    """A saved search's private feed: its results as the search page lists them; the URL's token
    is the only key, and a regenerated token makes the old URL answer 404."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> SearchTarget:  # type: ignore[override]
        saved = by_feed_token(kwargs["token"])
        if saved is None:
            raise Http404("No such feed")
        return SearchTarget(saved.query, saved.sort, saved.mode, saved.name, saved.feed_token)

    def _feed_path(self, obj: SearchTarget) -> str:
        kind = "atom" if self.feed_type is Atom1Feed else "rss"
        return reverse(f"feeds:feed-saved-{kind}", args=[obj.token])

    def title(self, obj: SearchTarget) -> str:  # type: ignore[override]
        return f"{obj.name} (saved search) · paperwire"

    def items(self, obj: SearchTarget) -> list[Paper]:  # type: ignore[override]
        saved = by_feed_token(obj.token)
        papers = super().items(obj)
        return split(saved.user, papers).shown if saved is not None else papers

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # A private address: keep it out of search engines and shared caches.
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private"
        return response


def search_alternates(query: str, sort: str, mode: str) -> list[dict[str, str]]:
    """Return the feeds the search page links for a query (<link rel="alternate">)."""
    if not query:
        return []
    params = urlencode({"q": query, "sort": sort, "mode": mode})
    return [
        {
            "type": t,
            "title": f"Search results ({f})",
            "href": reverse(f"feeds:feed-search-{f.lower()}") + "?" + params,
        }
        for f, t in (("RSS", "application/rss+xml"), ("Atom", "application/atom+xml"))
    ]


def both_formats(base: type[PaperFeed], **attrs: str) -> dict[str, PaperFeed]:
    """Return a feed as RSS 2.0 and as Atom views, by format (rss, atom)."""
    return {
        fmt: type(f"{base.__name__}{fmt.title()}", (base,), {**attrs, "feed_type": feed_type})()
        for fmt, feed_type in (("rss", Rss201rev2Feed), ("atom", Atom1Feed))
    }


# Every feed, by the name its URL carries (feeds:feed-<name>-<rss|atom>); urls.py routes them.
FEEDS: dict[str, dict[str, PaperFeed]] = {
    "daily": both_formats(PaperFeed, kind="date", name="Daily papers"),
    "weekly": both_formats(PaperFeed, kind="week", name="Weekly papers"),
    "trending": both_formats(PaperFeed, kind="trending", name="Trending papers"),
    "category": both_formats(PaperFeed, kind="date", name="Daily papers"),
    "search": both_formats(SearchFeed),
    "saved": both_formats(SavedSearchFeed),
}
