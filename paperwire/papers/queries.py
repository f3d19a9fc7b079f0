"""Read queries behind the feed pages and their JSON twins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from . import trending
from .models import DayCount, Paper, PaperCategory
from .periods import Period, period_containing

HUB_SUBMITTER = "arxiv"  # the submitter name of papers that came from the arXiv listing itself


@dataclass
class FeedPage:
    period: Period
    papers: list[Paper]
    total: int
    offset: int
    limit: int
    sort: str
    category: str
    previous: Period | None  # the nearest earlier period with papers
    next: Period | None  # the nearest later period with papers
    more: bool | None = None  # whether papers follow, when a cursor (not the offset) says

    @property
    def has_more(self) -> bool:
        if self.more is not None:
            return self.more
        return self.offset + len(self.papers) < self.total

    @property
    def next_after(self) -> str:
        """Return the keyset cursor of the page after this one ("" when it has none or the
        sort has no stable keyset: trending scores move with the clock)."""
        if self.sort != "newest" or not self.papers or not self.has_more:
            return ""
        return cursor_of(self.papers[-1])

    @property
    def previous_before(self) -> str:
        """Return the keyset cursor of the page before this one ("" on the first page or when
        the sort has no stable keyset)."""
        if self.sort != "newest" or not self.papers or self.offset == 0:
            return ""
        return cursor_of(self.papers[0])


class BadCursor(ValueError):
    """An `after` or `before` cursor that is not `YYYY-MM-DD_<arxiv id>`."""


def cursor_of(paper: Paper) -> str:
    """Return the keyset cursor just after paper in the newest order."""
    return f"{paper.listing_day.isoformat()}_{paper.arxiv_id}"


def parse_cursor(raw: str, name: str = "after") -> tuple[dt.date, str]:
    """Return the (listing day, arxiv id) of a cursor; raise BadCursor for anything else."""
    day, sep, arxiv_id = raw.partition("_")
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        raise BadCursor(f"{name} must be YYYY-MM-DD_<arxiv id>, not {raw[:80]!r}") from None
    if not sep or not arxiv_id or len(arxiv_id) > 64:
        raise BadCursor(f"{name} must be YYYY-MM-DD_<arxiv id>, not {raw[:80]!r}")
    return parsed, arxiv_id


def visible() -> QuerySet[Paper]:
    """Return the papers anyone may see (not hidden by a moderator)."""
    return Paper.objects.filter(hidden=False)


def _filtered(category: str = "", submitter: str = "") -> QuerySet[Paper]:
    qs = visible()
    if category:
        # EXISTS probes the (paper, code) unique index once per paper of the period; a join
        # made SQLite walk every paper of the category instead (23k for cs.LG: 120 ms).
        qs = qs.filter(Exists(PaperCategory.objects.filter(paper=OuterRef("pk"), code=category)))
    if submitter:
        if submitter == HUB_SUBMITTER:
            qs = qs.filter(submitted_by="")
        else:
            qs = qs.filter(submitted_by=submitter)
    return qs


def past_cursor(qs: QuerySet[Paper], day: dt.date, arxiv_id: str, *, older: bool = True) -> QuerySet[Paper]:
    """Return qs's papers beyond the cursor (day, arxiv_id) in the newest order (older: after it
    on the page; else before it).

    One row comparison, which both databases start the (listing_day, arxiv_id) index walk at.
    Written as "an earlier day, or the same day and a smaller id", PostgreSQL walked from the
    period's end and filtered every paper on the way: 117k index entries, 31 ms, for a cursor
    on the second day of a month at 2.5M papers (0.1 ms now).
    """
    op, bound = ("<", "listing_day__lte") if older else (">", "listing_day__gte")
    row = f"(listing_day, arxiv_id) {op} (%s, %s)"  # op is < or >; the cursor goes as parameters
    beyond = RawSQL(row, (day.isoformat(), arxiv_id), BooleanField())  # noqa: S611  # no text of the reader's in the SQL
    return qs.filter(beyond, **{bound: day})


def _counted(category: str) -> QuerySet[DayCount]:
    """Return the day counts of a category ("" for all papers) that have papers."""
    return DayCount.objects.filter(code=category, n__gt=0)


def latest_day(category: str = "") -> dt.date | None:
    """Return the latest listing day that has visible papers."""
    return _counted(category).aggregate(day=Max("listing_day"))["day"]


def neighbours(period: Period, category: str = "") -> tuple[Period | None, Period | None]:
    """Return the nearest earlier and later periods of the same kind that have papers.

    Read from the day counts: asking the papers made PostgreSQL walk every paper before the
    period when a category had none there (950 ms for cs.LG at 540k papers).
    """
    qs = _counted(category)
    before = qs.filter(listing_day__lt=period.start).aggregate(d=Max("listing_day"))["d"]
    after = qs.filter(listing_day__gt=period.end).aggregate(d=Min("listing_day"))["d"]
    return (
        period_containing(period.kind, before) if before else None,
        period_containing(period.kind, after) if after else None,
    )


def count(period: Period, category: str = "") -> int:
    """Return how many visible papers period lists (in category): a sum of day counts."""
    days = _counted(category).filter(listing_day__range=(period.start, period.end))
    return days.aggregate(n=Sum("n"))["n"] or 0


def feed(
    period: Period,
    *,
    category: str = "",
    sort: str = "trending",
    offset: int = 0,
    limit: int = 30,
    submitter: str = "",
    with_neighbours: bool = True,
    with_total: bool = True,
    after: str = "",
    before: str = "",
) -> FeedPage:
    """Return one page of the papers listed in period, in the given sort.

    with_total=False skips counting the period (total is then -1): a count over a long range
    reads every row, and the API does not report it. after (a cursor, newest sort only) starts
    the page just after that paper, by the (listing_day, arxiv_id) index, instead of skipping
    offset rows: a deep page costs what the first does. offset then only numbers the page.
    """
    qs = _filtered(category, submitter).filter(listing_day__range=(period.start, period.end))
    if not with_total:
        total = -1
    elif submitter:
        total = qs.count()  # the day counts do not know who submitted; the API's filter only
    else:
        total = count(period, category)
    more = None
    if after and sort == "newest":
        day, arxiv_id = parse_cursor(after)
        rest = past_cursor(qs, day, arxiv_id)
        papers = _page(rest, sort, 0, limit + 1)  # one more: is there a next page?
        more = len(papers) > limit
        papers = papers[:limit]
    elif before and sort == "newest":
        day, arxiv_id = parse_cursor(before, "before")
        earlier = past_cursor(qs, day, arxiv_id, older=False)
        ids = earlier.order_by("listing_day", "arxiv_id").values_list("pk", flat=True)[:limit]
        rows = Paper.objects.in_bulk(list(ids))
        papers = sorted(rows.values(), key=lambda p: (p.listing_day, p.arxiv_id), reverse=True)
        more = True  # the page the reader came from follows
    elif with_total and offset >= total:
        papers = []
    else:
        papers = _page(qs, sort, offset, offset + limit)
    prev, nxt = neighbours(period, category) if with_neighbours else (None, None)
    return FeedPage(period, papers, total, offset, limit, sort, category, prev, nxt, more)


def _page(qs: QuerySet[Paper], sort: str, start: int, stop: int) -> list[Paper]:
    """Return rows start:stop of qs in sort order: the sort reads ids only, then the page's
    rows are fetched whole. Sorting whole rows (abstracts, author lists) made SQLite sort
    ~2 KB per paper of the period: 30 ms of a 25k-paper month at 30k papers, growing with it."""
    if sort == "trending":
        ids = _trending_ids(qs, start, stop)
    else:
        ids = list(trending.ordered(qs, sort).values_list("pk", flat=True)[start:stop])
    rows = Paper.objects.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


VOTED = Q(upvotes__gt=0) | Q(hf_upvotes__gt=0)  # the condition of the paper_voted index


def _trending_ids(qs: QuerySet[Paper], start: int, stop: int) -> list[int]:
    """Return ids start:stop of qs in trending order without scoring every paper of the period.

    A paper without votes scores exactly 0 and every voted one more, so the order is the few
    voted papers by score, then the rest in the newest order (its tie-break): the first from
    the paper_voted index, the rest walked on paper_day_walk. Scoring and sorting a whole
    25k-paper month took PostgreSQL 75 ms at 540k papers.
    """
    voted = list(trending.ordered(qs.filter(VOTED), "trending").values_list("pk", flat=True)[start:stop])
    if len(voted) == stop - start:
        return voted
    # How many voted papers come first: known from the slice unless it came back empty past 0.
    n_voted = start + len(voted) if voted or not start else qs.filter(VOTED).count()
    rest = qs.filter(upvotes=0, hf_upvotes=0).order_by("-listing_day", "-arxiv_id")
    return voted + list(rest.values_list("pk", flat=True)[max(0, start - n_voted) : stop - n_voted])


def paper(arxiv_id: str) -> Paper | None:
    """Return the visible paper with this versionless id, or None."""
    return visible().filter(arxiv_id=arxiv_id).first()


def categories_in(period: Period) -> list[tuple[str, int]]:
    """Return the categories listed in period with their paper counts, most papers first."""
    rows = (
        DayCount.objects.filter(listing_day__range=(period.start, period.end), n__gt=0)
        .exclude(code="")
        .values("code")
        .annotate(total=Sum("n"))
        .order_by("-total", "code")
    )
    return [(r["code"], r["total"]) for r in rows]
