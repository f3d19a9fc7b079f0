"""Template tags that put votes, discussions and ranking explanations on paper pages and cards."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString
from django.utils.text import slugify

from paperwire.papers import queries, trending
from paperwire.papers.on_page import paper_ids_on_page

from .. import comments, render, votes
from ..members import refusal
from ..render import DiscussionRenderer

register = template.Library()


def _voted(context: template.Context, paper: Any) -> bool:
    """Return whether the viewer upvoted paper, asking the database once per list page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    known: dict[int, bool] | None = getattr(request, "_paperwire_voted", None)
    if known is None or paper.pk not in known:
        ids = paper_ids_on_page(context, paper)  # every paper of the page at once
        voted = votes.voted_ids(request.user, ids)
        known = {**(known or {}), **{pk: pk in voted for pk in ids}}
        request._paperwire_voted = known
    return known[paper.pk]


@register.filter
def http_url(url: str) -> str:
    """Return url when it is an http(s) address, else "" (javascript: and data: links render inert)."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.simple_tag(takes_context=True)
def vote_button(context: template.Context, paper: Any, size: str = "") -> SafeString:
    """Render the upvote toggle of a paper (htmx, with a plain-form fallback)."""
    request = context.get("request")
    if request is None:
        return render.vote_button(paper, False, size=size, csrf_token="", next_url="")
    # One masked CSRF token per page, not one per card: masking costs 32 random draws.
    token = getattr(request, "_paperwire_csrf", None) or get_token(request)
    request._paperwire_csrf = token
    next_url = (
        f"{request.get_full_path()}#paper-{slugify(paper.arxiv_id)}" if size != "wide" else request.path
    )
    return render.vote_button(paper, _voted(context, paper), size=size, csrf_token=token, next_url=next_url)


@register.inclusion_tag("community/_discussion.html", takes_context=True)
def discussion(context: template.Context, paper: Any) -> dict[str, Any]:
    """Render a paper's comments with the forms to add, reply, edit, delete and report."""
    request = context["request"]
    user = request.user
    me = user.pk if user.is_authenticated else None
    why_not = refusal(user) if me is not None else None
    renderer = DiscussionRenderer(
        me, get_token(request), paper.arxiv_id, can_reply=me is not None and not why_not
    )
    return {
        "paper": paper,
        "threads_html": renderer.threads(comments.threads(paper)),
        "me": me,
        "refusal": why_not,
        "max_chars": settings.COMMENT_MAX_CHARS,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("community/_rank.html")
def rank_explainer(paper: Any) -> dict[str, Any]:
    """Render why a paper ranks where it does: its votes, age, score and place on its day."""
    why = trending.explain(paper, queries.visible())
    return {"paper": paper, "why": why, "above": why.of - why.rank, "below": why.rank - 1}
