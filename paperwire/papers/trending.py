"""The trending order: community votes decayed by age, gravity-style, computed in SQL.

    score = (upvotes + HF_UPVOTE_WEIGHT × hf_upvotes) / (age_hours + 2) ^ TRENDING_GRAVITY

where upvotes are local members' votes (suspended members' do not count), hf_upvotes those
imported from Hugging Face, and age_hours the hours since the start (00:00 UTC) of the
paper's listing day. The +2 keeps a brand-new paper's score finite; with the gravity of 1.8
(as on Hacker News), at noon a paper listed yesterday needs about 6 times the votes of one
listed today to rank beside it, and one listed a week ago about 100 times. Everything is
plain arithmetic on two integer columns and a date, so SQLite and PostgreSQL compute it
alike, without a stored score to keep up to date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Expression, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Cast, Greatest, Power
from django.utils import timezone

from .models import Paper
from .periods import Period

SORTS = ("trending", "newest")
AGE_OFFSET_HOURS = 2.0
EPOCH = dt.date(1970, 1, 1)
WINDOW_DAYS = 7  # with no period named, trending ranks the last week of listings (API, feeds)


def window(latest: dt.date) -> Period:
    """Return the listing days trending ranks when no period is named: the last WINDOW_DAYS."""
    return Period("range", latest - dt.timedelta(days=WINDOW_DAYS - 1), latest)


class DayNumber(Func):
    """Days from 1970-01-01 to a date column, as a number, on SQLite and PostgreSQL."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="((%(expressions)s - DATE '1970-01-01')::float8)", **extra
        )


def _hours_since_epoch(now: dt.datetime) -> float:
    return (now - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() / 3600


def age_hours_expr(now: dt.datetime) -> Expression:
    """Return the SQL for hours since the start of each paper's listing day (never negative)."""
    hours = Value(_hours_since_epoch(now), output_field=FloatField()) - DayNumber(F("listing_day")) * Value(
        24.0
    )
    return Greatest(hours, Value(0.0), output_field=FloatField())


def points_expr() -> Expression:
    """Return the SQL for a paper's points: local upvotes plus weighted HF upvotes."""
    weight = Value(float(settings.HF_UPVOTE_WEIGHT), output_field=FloatField())
    return Cast(F("upvotes"), FloatField()) + Cast(F("hf_upvotes"), FloatField()) * weight


def score_expr(now: dt.datetime | None = None) -> Expression:
    """Return the SQL for each paper's trending score (see the module's formula)."""
    now = now or timezone.now()
    gravity = Value(float(settings.TRENDING_GRAVITY), output_field=FloatField())
    decay = Power(age_hours_expr(now) + Value(AGE_OFFSET_HOURS), gravity, output_field=FloatField())
    return points_expr() / decay


def with_score(qs: QuerySet[Paper], now: dt.datetime | None = None) -> QuerySet[Paper]:
    """Annotate each paper with its trending score (see the module's formula)."""
    return qs.annotate(score=score_expr(now))


def ordered(qs: QuerySet[Paper], sort: str, now: dt.datetime | None = None) -> QuerySet[Paper]:
    """Return qs in the named order: trending (score, then newest) or newest first."""
    if sort == "trending":
        return with_score(qs, now).order_by(F("score").desc(), "-listing_day", "-arxiv_id")
    return qs.order_by("-listing_day", "-arxiv_id")


@dataclass(frozen=True)
class Explanation:
    """Why a paper ranks where it does: the numbers that go into its score."""

    upvotes: int
    hf_upvotes: int
    hf_weight: float
    points: float
    age_hours: float
    gravity: float
    score: float
    rank: int  # its place among the papers of its listing day, by score
    of: int  # papers listed that day


def age_hours(paper: Paper, now: dt.datetime) -> float:
    """Return the hours since the start of the paper's listing day, as the SQL computes them."""
    return max(_hours_since_epoch(now) - (paper.listing_day - EPOCH).days * 24.0, 0.0)


def explain(paper: Paper, visible: QuerySet[Paper], now: dt.datetime | None = None) -> Explanation:
    """Return the numbers behind a paper's score and its rank among the papers of its day."""
    now = now or timezone.now()
    weight = float(settings.HF_UPVOTE_WEIGHT)
    gravity = float(settings.TRENDING_GRAVITY)
    points = paper.upvotes + paper.hf_upvotes * weight
    age = age_hours(paper, now)
    score = points / (age + AGE_OFFSET_HOURS) ** gravity
    # Same day, same age: the score order of a day is the order of points, then the id.
    ahead = Q(points__gt=points) | Q(points=points, arxiv_id__gt=paper.arxiv_id)
    counts = (
        visible.filter(listing_day=paper.listing_day)
        .annotate(points=points_expr())
        .aggregate(of=Count("pk"), ahead=Count("pk", filter=ahead))
    )
    return Explanation(
        paper.upvotes,
        paper.hf_upvotes,
        weight,
        points,
        age,
        gravity,
        score,
        counts["ahead"] + 1,
        counts["of"],
    )
