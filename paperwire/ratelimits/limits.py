"""The one rate limiter: fixed-window "N/period" limits per member, IP address or e-mail address,
counted exactly under concurrency by one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest

from .models import Counter

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RULE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)([smhd])\s*$")
NOUNS = {
    "submit": "submissions",
    "vote": "votes",
    "comment": "comments",
    "signup": "sign-ups",
    "login": "logins",
    "subscribe": "subscription requests",
    "search": "searches",
    "search_embed": "searches by meaning",
}
PERIODS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    def describe(self) -> str:
        """Return the limit in words, e.g. '10 per minute'."""
        return f"{self.count} per {PERIODS.get(self.seconds, f'{self.seconds} seconds')}"


def parse_limit(text: str) -> Limit:
    """Return the limit written as N/period, e.g. 10/m, 20/d or 5/15m."""
    m = RULE.match(text)
    if not m:
        raise ValueError(f"rate limit {text!r} is not N/period (e.g. 10/m, 20/d, 5/15m)")
    return Limit(int(m.group(1)), int(m.group(2) or 1) * UNITS[m.group(3)])


class RateLimited(Exception):
    """Raised when an action is over its limit; the message says which and for how long."""

    def __init__(self, action: str, limit: Limit, retry_after: int) -> None:
        self.retry_after = retry_after
        noun = NOUNS.get(action, action)
        super().__init__(
            f"Too many {noun}: the limit is {limit.describe()}. Try again in {_wait(retry_after)}."
        )


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or with PAPERWIRE_TRUSTED_PROXY_COUNT = n the
    address the n-th proxy from us saw (X-Forwarded-For's n-th entry from the right)."""
    trusted = settings.TRUSTED_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    # Entries left of the n-th from the right were written by the client itself: never trusted.
    return hops[-trusted] if len(hops) >= trusted else remote


def hashed(value: str) -> str:
    """Return a short digest of value, to key limits on e-mail addresses without storing them."""
    return hashlib.blake2b(value.encode(), digest_size=12).hexdigest()


def _count(key: str, expires: dt.datetime) -> int:
    """Add one to key's counter and return the new count, in one statement (exact when parallel)."""
    q = connection.ops.quote_name
    table, k, n = q(Counter._meta.db_table), q("key"), q("count")
    # One statement on SQLite (3.35+) and PostgreSQL alike: no read-then-write gap in which two
    # requests both read 4 and both write 5 (what DatabaseCache.incr did).
    sql = (
        f"INSERT INTO {table} ({k}, {n}, expires) VALUES (%s, 1, %s) "  # noqa: S608  # our own names
        f"ON CONFLICT ({k}) DO UPDATE SET {n} = {table}.{n} + 1 RETURNING {n}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [key, expires])
        return int(cursor.fetchone()[0])


def consume(action: str, who: str, rule: str = "") -> None:
    """Count one action for who (e.g. "user:12", "ip:192.0.2.1"); raise RateLimited past the limit
    (settings.RATE_LIMITS[action], or rule when given)."""
    limit = parse_limit(rule or settings.RATE_LIMITS[action])
    now = time.time()
    window = int(now) // limit.seconds
    end = (window + 1) * limit.seconds
    used = _count(f"{action}:{who}:{window}"[:200], dt.datetime.fromtimestamp(end, dt.UTC))
    if used == 1:
        # The first action of a new window: sweep the windows that have ended (indexed on expires).
        Counter.objects.filter(expires__lt=dt.datetime.fromtimestamp(now, dt.UTC)).delete()
    if used > limit.count:
        raise RateLimited(action, limit, max(end - int(now), 1))
