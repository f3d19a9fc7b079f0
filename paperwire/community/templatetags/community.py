"""Template tags that put votes, discussions and ranking explanations on paper pages and cards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.timesince import timesince

from paperwire.papers import queries, trending

from .. import comments, votes
from ..forms import CommentForm
from ..members import refusal

register = template.Library()


def _voted(context: template.Context, paper: Any) -> bool:
    """Return whether the viewer upvoted paper, asking the database once per feed page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    known: dict[int, bool] | None = getattr(request, "_paperwire_voted", None)
    if known is None or paper.pk not in known:
        feed = context.get("feed")
        ids = {p.pk for p in feed.papers} if feed is not None else set()
        ids.add(paper.pk)
        voted = votes.voted_ids(request.user, ids)
        known = {**(known or {}), **{pk: pk in voted for pk in ids}}
        request._paperwire_voted = known
    return known[paper.pk]


@register.filter
def http_url(url: str) -> str:
    """Return url when it is an http(s) address, else "" (javascript: and data: links render inert)."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.filter
def ago(when: dt.datetime) -> str:
    """Return how long ago a moment was, in words: 'just now', '3 hours ago'."""
    if timezone.now() - when < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(when).split(',')[0]} ago"


@register.inclusion_tag("community/_vote.html", takes_context=True)
def vote_button(context: template.Context, paper: Any, size: str = "") -> dict[str, Any]:
    """Render the upvote toggle of a paper (htmx, with a plain-form fallback)."""
    request = context.get("request")
    if request is not None:
        get_token(request)  # the form's CSRF token
    return {
        "paper": paper,
        "voted": _voted(context, paper),
        "size": size,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("community/_discussion.html", takes_context=True)
def discussion(context: template.Context, paper: Any) -> dict[str, Any]:
    """Render a paper's comments with the forms to add, reply, edit, delete and report."""
    request = context["request"]
    user = request.user
    return {
        "paper": paper,
        "threads": comments.threads(paper),
        "me": user.pk if user.is_authenticated else None,
        "refusal": refusal(user) if user.is_authenticated else None,
        "form": CommentForm(),
        "max_chars": settings.COMMENT_MAX_CHARS,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("community/_rank.html")
def rank_explainer(paper: Any) -> dict[str, Any]:
    """Render why a paper ranks where it does: its votes, age, score and place on its day."""
    return {"paper": paper, "why": trending.explain(paper, queries.visible())}
