"""Every paper, cursor-paged, and submitting one: more of the Hugging Face dialect.

`GET /api/papers?cursor=…&limit=…` walks all visible papers, newest listing day first; each
answer that has more carries `Link: <…>; rel="next"` with the next cursor, as paged APIs do.
`POST /api/v1/papers/submit` puts a paper on today's feed for a signed-in member.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from paperwire.community.members import refusal
from paperwire.community.submissions import SubmissionRefused, submit
from paperwire.papers.queries import past_cursor, visible
from paperwire.personal.api import member
from paperwire.ratelimits.limits import RateLimited, consume

from .hf import MAX_LIMIT, daily_item, flat_paper

router = Router(tags=["papers"])


def next_link(request: HttpRequest, **params: Any) -> str:
    """Return a Link header value pointing at this endpoint with params."""
    url = request.build_absolute_uri(request.path) + "?" + urlencode(params)
    return f'<{url}>; rel="next"'


def encode_cursor(day: dt.date, arxiv_id: str) -> str:
    """Return an opaque cursor for the position after a paper."""
    return base64.urlsafe_b64encode(f"{day.isoformat()} {arxiv_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.date, str]:
    """Return the (listing day, arXiv id) a cursor stands for; 400 for one this server did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, arxiv_id = raw.split(" ", 1)
        return dt.date.fromisoformat(day), arxiv_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HttpError(400, "cursor is not one this server gave out") from None


@router.get("/papers", summary="All papers, cursor-paged (Hugging Face dialect)")
def all_papers(
    request: HttpRequest, response: HttpResponse, cursor: str = "", limit: int = 50
) -> list[dict[str, Any]]:
    """Return a page of every visible paper, newest listing day first, as daily-papers items."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
    qs = visible().order_by("-listing_day", "-arxiv_id")  # walks the (listing_day, arxiv_id) index
    if cursor:
        day, arxiv_id = decode_cursor(cursor[:200])
        qs = past_cursor(qs, day, arxiv_id)
    papers = list(qs[: limit + 1])
    if len(papers) > limit:
        last = papers[limit - 1]
        response["Link"] = next_link(
            request, cursor=encode_cursor(last.listing_day, last.arxiv_id), limit=limit
        )
    return [daily_item(p) for p in papers[:limit]]


class SubmitIn(Schema):
    id: str  # an arXiv id or an arxiv.org/abs or /pdf link


@router.post("/v1/papers/submit", summary="Submit a paper to today's feed (session or API token)")
def submit_paper(
    request: HttpRequest, response: HttpResponse, body: SubmitIn
) -> dict[str, Any] | HttpResponse:
    """Put a paper on today's feed (201), or return it as it is when it is already there (200).

    The same rules as the /submit form: a verified, unsuspended member, within the rate limit;
    signed in by session (with the CSRF header) or by a read-write personal API token.
    """
    user = member(request, write=True)
    why = refusal(user)
    if why:
        raise HttpError(403, why)
    try:
        consume("submit", f"user:{user.pk}")
        result = submit(user, body.id[:300])
    except RateLimited as e:
        limited = JsonResponse({"error": str(e)}, status=429)
        limited["Retry-After"] = str(e.retry_after)
        return limited
    except SubmissionRefused as e:
        raise HttpError(400, str(e)) from None
    body_out = {"created": result.created, "message": result.message, "paper": flat_paper(result.paper)}
    return JsonResponse(body_out, status=201 if result.created else 200)
