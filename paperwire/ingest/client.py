"""A polite HTTP client for arXiv and Hugging Face: one connection, a pause between requests,
a descriptive User-Agent, and retries with back-off on timeouts, 5xx and 429 (honouring Retry-After)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 600.0  # seconds; a longer Retry-After is capped rather than obeyed
MAX_BODY = 64 * 1024 * 1024  # bytes; no page of these services comes near it


class IngestError(Exception):
    """A failure that ends an ingestion with a clear message (no traceback for the user)."""


class FetchError(IngestError):
    """The service could not be reached or kept answering with an error."""


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    body: bytes


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Return the wait a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    wait = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, min(wait, MAX_RETRY_AFTER))


def user_agent() -> str:
    """Return the User-Agent sent to every upstream service."""
    return settings.INGEST_USER_AGENT


class PoliteClient:
    """Fetch pages one at a time with at least `delay` seconds between the starts of requests."""

    def __init__(
        self,
        *,
        delay: float = 0.0,
        retries: int | None = None,
        backoff: float | None = None,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        self.delay = delay
        self.max_body = max_body
        self.retries = settings.INGEST_RETRIES if retries is None else retries
        self.backoff = settings.INGEST_BACKOFF if backoff is None else backoff
        self.sleep = sleep
        self.on_wait = on_wait
        self._last_start: float | None = None
        # One connection at a time, as arXiv's terms ask.
        self._http = httpx.Client(
            headers={"User-Agent": user_agent()},
            timeout=settings.INGEST_TIMEOUT if timeout is None else timeout,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the connection."""
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _pause(self) -> None:
        if self._last_start is not None and self.delay > 0:
            wait = self._last_start + self.delay - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last_start = time.monotonic()

    def _wait(self, seconds: float, why: str) -> None:
        log.info("%s; retrying in %.0f s", why, seconds)
        if self.on_wait:
            self.on_wait(f"{why}; retrying in {seconds:.0f} s")
        if seconds > 0:
            self.sleep(seconds)

    def _fetch(self, url: str, params: dict[str, Any] | None) -> tuple[httpx.Response, bytes]:
        """Return the response and its body, read in chunks and given up past max_body bytes."""
        with self._http.stream("GET", url, params=params) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > self.max_body:
                raise FetchError(f"{url} announced {int(declared):,} bytes, more than any page should have")
            chunks: list[bytes] = []
            size = 0
            # Counted after decompression, so a small gzip bomb is caught too.
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise FetchError(
                        f"{url} sent more than {self.max_body:,} bytes, more than any page should have"
                    )
                chunks.append(chunk)
        return response, b"".join(chunks)

    def get(
        self, url: str, params: dict[str, Any] | None = None, *, ok: frozenset[int] = frozenset()
    ) -> Page:
        """Return the page at url; retry transient failures; raise FetchError when they persist.

        Statuses in `ok` (besides 2xx) are returned to the caller, which reads their bodies
        (arXiv answers a malformed id with HTTP 400 and an Atom error entry)."""
        last = ""
        for attempt in range(self.retries + 1):
            self._pause()
            backoff = self.backoff * (2**attempt)
            try:
                response, body = self._fetch(url, params)
            except httpx.TimeoutException:
                last = f"timed out fetching {url}"
                if attempt < self.retries:
                    self._wait(backoff, last)
                continue
            except httpx.TransportError as e:
                # Refused connections, resets and bodies cut short mid-page all land here.
                last = f"network error fetching {url}: {e or type(e).__name__}"
                if attempt < self.retries:
                    self._wait(backoff, last)
                continue
            status = response.status_code
            if status in RETRY_STATUSES:
                last = f"HTTP {status} from {url}"
                if attempt < self.retries:
                    asked = retry_after_seconds(response.headers.get("Retry-After"))
                    self._wait(backoff if asked is None else asked, last)
                continue
            if 200 <= status < 300 or status in ok:
                return Page(str(response.url), status, response.headers.get("Content-Type", ""), body)
            raise FetchError(f"HTTP {status} from {response.url}: {_snippet(body)}")
        raise FetchError(f"gave up after {self.retries + 1} tries: {last}")


def _snippet(body: bytes, limit: int = 200) -> str:
    """Return the start of a body as one line of text, for error messages."""
    text = " ".join(body[:2000].decode("utf-8", "replace").split())
    return (text[:limit] + "…") if len(text) > limit else (text or "(empty body)")
