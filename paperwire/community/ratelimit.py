"""Fixed-window rate limits counted in Django's cache: "N/period" per member or IP address."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RULE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)([smhd])\s*$")
NOUNS = {
    "submit": "submissions",
    "vote": "votes",
    "comment": "comments",
    "signup": "sign-ups",
    "login": "logins",
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


def consume(action: str, key: str) -> None:
    """Count one action for key (a member id or IP address); raise RateLimited past the limit."""
    limit = parse_limit(settings.RATE_LIMITS[action])
    now = int(time.time())
    window = now // limit.seconds
    cache_key = f"rl:{action}:{key}:{window}"
    # add() is a no-op when the window's counter exists; incr() then counts this action.
    cache.add(cache_key, 0, timeout=limit.seconds + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # the counter expired between add() and incr()
        cache.set(cache_key, 1, timeout=limit.seconds + 5)
        used = 1
    if used > limit.count:
        raise RateLimited(action, limit, (window + 1) * limit.seconds - now)
