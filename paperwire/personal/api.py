"""The member's own JSON API under /api/v1/me: by session or by a personal API token (Bearer)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf

from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.models import Paper
from paperwire.papers.periods import BadPeriod, parse_period
from paperwire.papers.serialize import paper_json

from . import interests, pages, ranking, signals, tokens
from .interests import BadRule
from .models import LibraryItem

router = Router(tags=["me"])
SIGNAL_KINDS = ("save", "not-interested", "read", "to-read")


def member(request: HttpRequest, *, write: bool = False) -> Any:
    """Return the member a request speaks for, or refuse it (401 / 403)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        row = tokens.authenticate(header[7:].strip())
        if row is None:
            raise HttpError(401, "unknown or revoked API token")
        if write and not row.write:
            raise HttpError(403, "this API token is read-only")
        return row.user
    if request.user.is_authenticated:
        if write and check_csrf(request) is not None:  # a session write must come from our own pages
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header or use an API token")
        return request.user
    raise HttpError(401, "sign in or send Authorization: Bearer <your API token>")


class PeriodParams(Schema):
    date: str | None = None
    week: str | None = None
    month: str | None = None
    page: int = 1
    show_hidden: bool = False


@router.get("/for-you", summary="The period's papers ranked for you, each with why")
def for_you(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    user = member(request)
    named = [(k, v) for k, v in (("date", params.date), ("week", params.week), ("month", params.month)) if v]
    try:
        if named:
            period = parse_period(*named[0])
        else:
            day = queries.latest_day()
            if day is None:
                return {"papers": [], "total": 0}
            period = parse_period("date", day.isoformat())
    except BadPeriod as e:
        raise HttpError(400, str(e)) from None
    if params.page < 1:
        raise HttpError(400, "page starts at 1")
    size = settings.PAGE_SIZE
    taste = ranking.model.taste_row(user)
    result = ranking.for_you(
        user,
        period,
        reveal=params.show_hidden,
        hide_seen=taste.hide_seen,
        offset=(params.page - 1) * size,
        limit=size,
    )
    return pages.for_you_json(pages.for_you_context(result, params.page, size, taste.hide_seen), request)


@router.get("/library", summary="Your saved papers, newest first")
def library(request: HttpRequest, status: str = "") -> dict[str, Any]:
    user = member(request)
    rows = LibraryItem.objects.filter(user=user).select_related("paper").order_by("-saved_at")
    if status:
        rows = rows.filter(status=status)
    return {
        "papers": [
            {**paper_json(i.paper, request), "status": i.status, "saved_at": i.saved_at.isoformat()}
            for i in rows[:1000]
        ]
    }


class SignalIn(Schema):
    paper: str
    kind: str
    state: bool = True


@router.post("/signals", summary="Save, mark not interested, or set the reading status of a paper")
def signal(request: HttpRequest, body: SignalIn) -> dict[str, Any]:
    user = member(request, write=True)
    if body.kind not in SIGNAL_KINDS:
        raise HttpError(400, f"kind must be one of {', '.join(SIGNAL_KINDS)}")
    try:
        paper = queries.paper(parse_arxiv_id(body.paper).id)
    except InvalidArxivId as e:
        raise HttpError(400, str(e)) from None
    if paper is None:
        raise HttpError(404, "Paper not found")
    if body.kind == "save":
        signals.set_saved(user, paper, body.state)
    elif body.kind == "not-interested":
        signals.set_not_interested(user, paper, body.state)
    else:
        signals.set_status(user, paper, body.kind)
    m = signals.marks(user, [paper.pk])
    return {
        "paper": paper.arxiv_id,
        "saved": paper.pk in m.saved,
        "reading_status": m.saved.get(paper.pk),
        "not_interested": paper.pk in m.not_interested,
    }


class RuleIn(Schema):
    kind: str
    value: str
    remove: bool = False


def _rules(user: Any) -> dict[str, Any]:
    ctx = pages.interests_context(user)
    return pages.interests_json(ctx)


@router.get("/follows", summary="Your follows, mutes and what your ranking learned")
def follows(request: HttpRequest) -> dict[str, Any]:
    return _rules(member(request))


@router.get("/mutes", summary="Your mute rules (with your follows)")
def mutes(request: HttpRequest) -> dict[str, Any]:
    return _rules(member(request))


def _change(request: HttpRequest, body: RuleIn, add: Any, remove: Any) -> dict[str, Any]:
    user = member(request, write=True)
    try:
        if body.remove:
            remove(user, body.kind, body.value)
        else:
            add(user, body.kind, body.value)
    except BadRule as e:
        raise HttpError(400, str(e)) from None
    return _rules(user)


@router.post("/follows", summary="Follow (or with remove, unfollow) an author, category or query")
def add_follow(request: HttpRequest, body: RuleIn) -> dict[str, Any]:
    return _change(request, body, interests.follow, interests.unfollow)


@router.post("/mutes", summary="Add (or with remove, lift) a mute rule")
def add_mute(request: HttpRequest, body: RuleIn) -> dict[str, Any]:
    return _change(request, body, interests.mute, interests.unmute)


__all__ = ["router", "Paper"]
