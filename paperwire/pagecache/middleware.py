"""Serve anonymous readers' listing pages, feeds and HF-dialect lists from the page cache.

A page is cached per full URL (path and query: page, sort, filter, format) under the current
generation, so any committed change makes the next view render afresh. Members, requests with
pending messages and every method but GET pass straight through. Cached pages carry an ETag and
Last-Modified, and conditional GETs that match get a 304.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from . import generation

# The pages anonymous readers share: the front page, day/week/month pages, RSS/Atom feeds and
# the HF-dialect lists (daily papers, all papers). Search and paper pages, and the search feed,
# depend on this node's index files, not only on the database, so they are not cached.
# Saved searches' feeds are private (their owner's mute rules apply): never these.
CACHED_PATHS = re.compile(
    r"^/(?:|papers/(?:date|week|month)/[^/]+|feeds/(?!saved/|search\.).+\.(?:rss|atom)|api/(?:daily_papers|papers))$"
)
# Headers of the view's answer a cached copy keeps (next-page links, export file names); the
# validators, cookies and Vary are each reader's own or are set afresh on every answer.
NOT_KEPT = frozenset(
    ("set-cookie", "vary", "date", "etag", "last-modified", "expires", "cache-control", "content-length")
)
# The most seconds a reader waits for another thread of this worker to render the page it also
# asked for, before rendering it too (a render at 2.5M papers takes well under a second).
WAIT_FOR_RENDER = 10.0
# Stands for this reader's CSRF token in a cached page; each reader gets their own.
CSRF_SENTINEL = "pagecache-csrf-0f6b2c"
MARK = "_pagecache"


def _eligible(request: HttpRequest) -> bool:
    if request.method != "GET" or not settings.PAGE_CACHE or not CACHED_PATHS.match(request.path_info):
        return False
    if "messages" in request.COOKIES:
        return False  # a flash message waits for this reader (Django's cookie message storage)
    if request.user.is_authenticated:
        return False  # members' pages stay uncached
    has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
    return not (has_session and "_messages" in request.session)


def _key(request: HttpRequest, gen: int) -> str:
    htmx = "h" if request.headers.get("HX-Request") else "p"
    # The page is drawn in the reader's theme (the appearance app's cookie): one copy per theme.
    theme = request.COOKIES.get("theme", "")
    theme = theme if theme in ("light", "dark") else "auto"
    url = hashlib.blake2b(request.build_absolute_uri().encode(), digest_size=16).hexdigest()
    return f"page:{gen}:{htmx}:{theme}:{url}"


def _private(response: HttpResponseBase) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-store" in control


def _finish(
    request: HttpRequest, response: HttpResponseBase, gen: int, changed_at: float
) -> HttpResponseBase:
    """Give this reader their CSRF token, the validators, and a 304 when theirs still match."""
    if not isinstance(response, HttpResponse) or response.streaming:
        return response
    if CSRF_SENTINEL.encode() in response.content:
        response.content = response.content.replace(CSRF_SENTINEL.encode(), get_token(request).encode())
    if response.status_code != 200 or _private(response):
        return response
    etag = f'"g{gen}-{_key(request, gen).rsplit(":", 1)[1][:12]}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(changed_at))
    response["Cache-Control"] = "no-cache"  # clients may keep it, but ask again (and get a 304)
    return (
        get_conditional_response(request, etag=etag, last_modified=int(changed_at), response=response)
        or response
    )


def _hit(request: HttpRequest, key: str, gen: int, changed_at: float) -> HttpResponseBase | None:
    """Return the cached copy of this page for this reader, or None."""
    hit: dict[str, Any] | None = caches[settings.PAGE_CACHE_ALIAS].get(key)
    if hit is None:
        return None
    response = HttpResponse(hit["body"], status=hit["status"])
    for name, value in hit["headers"]:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return _finish(request, response, gen, changed_at)


class PageCacheMiddleware:
    """Answer anonymous GETs of shared pages from the cache of the current generation.

    After a change every page is rendered afresh once per worker: the threads of a worker that
    ask for the same page meanwhile wait for the first one's render instead of rendering it
    too. With a change every 0.5 s and 50 readers of the front page (2 workers, 2 cores, demo
    set) that took 388 to 770-1,002 requests/s, p99 1.7 s to 0.2-0.35 s (docs/decisions.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.rendering: dict[str, threading.Event] = {}  # pages being rendered now, by key
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _eligible(request):
            return self.get_response(request)
        gen, changed_at = generation.read_current(connection)
        key = _key(request, gen)
        answer = _hit(request, key, gen, changed_at)
        if answer is not None:
            return answer
        with self.lock:
            underway = self.rendering.get(key)
            if underway is None:
                self.rendering[key] = threading.Event()
        if underway is not None:  # another thread renders this page: wait for it, then serve its copy
            underway.wait(WAIT_FOR_RENDER)
            answer = _hit(request, key, gen, changed_at)
            return answer if answer is not None else self._render(request, key, gen, changed_at)
        try:
            return self._render(request, key, gen, changed_at)
        finally:
            with self.lock:
                self.rendering.pop(key).set()

    def _render(self, request: HttpRequest, key: str, gen: int, changed_at: float) -> HttpResponseBase:
        """Render the page with the CSRF sentinel, keep a copy when it is everyone's, and answer."""
        setattr(request, MARK, True)  # the csrf context processor renders the sentinel
        request._paperwire_csrf = CSRF_SENTINEL  # type: ignore[attr-defined]  # and so do vote buttons
        answer = self.get_response(request)
        if (
            answer.status_code == 200
            and isinstance(answer, HttpResponse)
            and not _private(answer)  # a view that says its answer is one reader's own
            and not answer.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a token was taken outside templates
        ):
            headers = [(k, v) for k, v in answer.items() if k.lower() not in NOT_KEPT]
            caches[settings.PAGE_CACHE_ALIAS].set(
                key, {"body": answer.content, "status": 200, "headers": headers}
            )
            answer["X-Page-Cache"] = "miss"
        return _finish(request, answer, gen, changed_at)


def csrf_sentinel(request: HttpRequest) -> dict[str, str]:
    """Render a placeholder instead of the CSRF token in pages being cached (context processor)."""
    return {"csrf_token": CSRF_SENTINEL} if getattr(request, MARK, False) else {}
