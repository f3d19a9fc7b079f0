"""Feed periods: a day, an ISO week or a month, parsed from URLs and API parameters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from paperwire.params import BadParameter

DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
WEEK = re.compile(r"(\d{4})-W(\d{2})")
MONTH = re.compile(r"(\d{4})-(\d{2})")
# Years a period may fall in. A day in 9999 parses, but the neighbouring day, week or month
# each page links to would be past datetime's last date (9999-12-31) and overflow.
MIN_YEAR, MAX_YEAR = 1000, 9998


class BadPeriod(BadParameter):
    """A malformed date, week or month string."""


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadPeriod(f"{text!r} is out of range: the year must be between {MIN_YEAR} and {MAX_YEAR}")


@dataclass(frozen=True)
class Period:
    kind: str  # "date", "week" or "month"
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive

    @property
    def slug(self) -> str:
        """Return the period as written in URLs: 2026-07-01, 2026-W27 or 2026-07."""
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    @property
    def label(self) -> str:
        """Return the period as a person reads it."""
        if self.kind == "date":
            return self.start.strftime("%A, %-d %B %Y")
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year} ({self.start:%-d %b} – {self.end:%-d %b})"
        return self.start.strftime("%B %Y")

    @property
    def url_name(self) -> str:
        """Return the name of the URL route that shows this kind of period."""
        return {"date": "day", "week": "week", "month": "month"}.get(self.kind, "day")

    def containing(self, day: dt.date) -> Period:
        """Return the period of the same kind that contains day."""
        return period_containing(self.kind, day)

    def containing_kind(self, kind: str) -> Period:
        """Return the period of another kind that contains this period's last day."""
        return period_containing(kind, self.end)


def period_containing(kind: str, day: dt.date) -> Period:
    """Return the day, ISO week or month that contains day."""
    if kind == "date":
        return Period("date", day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period("week", start, start + dt.timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return Period("month", start, nxt - dt.timedelta(days=1))
    raise BadPeriod(f"unknown period kind {kind!r}")


def parse_day(text: str) -> Period:
    """Return the period for a YYYY-MM-DD string."""
    m = DAY.fullmatch(text or "")
    if not m:
        raise BadPeriod(f"{text[:40]!r} is not a date (expected YYYY-MM-DD)")
    _check_year(text, int(m[1]))
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as e:
        raise BadPeriod(f"{text!r} is not a valid date: {e}") from None
    return period_containing("date", day)


def parse_week(text: str) -> Period:
    """Return the period for an ISO week string, YYYY-Www."""
    m = WEEK.fullmatch(text or "")
    if not m:
        raise BadPeriod(f"{text[:40]!r} is not a week (expected YYYY-Www, e.g. 2026-W27)")
    _check_year(text, int(m[1]))
    try:
        start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError as e:
        raise BadPeriod(f"{text!r} is not a valid ISO week: {e}") from None
    return period_containing("week", start)


def parse_month(text: str) -> Period:
    """Return the period for a YYYY-MM string."""
    m = MONTH.fullmatch(text or "")
    if not m:
        raise BadPeriod(f"{text[:40]!r} is not a month (expected YYYY-MM)")
    _check_year(text, int(m[1]))
    try:
        start = dt.date(int(m[1]), int(m[2]), 1)
    except ValueError as e:
        raise BadPeriod(f"{text!r} is not a valid month: {e}") from None
    return period_containing("month", start)


PARSERS = {"date": parse_day, "week": parse_week, "month": parse_month}


def parse_period(kind: str, text: str) -> Period:
    """Return the period of kind ("date", "week", "month") written as text."""
    return PARSERS[kind](text)
