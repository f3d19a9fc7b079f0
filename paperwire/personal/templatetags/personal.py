"""Template tags that put the member's save and not-interested buttons on cards and paper pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from paperwire.papers.on_page import paper_ids_on_page

from .. import render
from ..signals import Marks, marks

register = template.Library()
AUTHOR_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path


def _marks(context: template.Context, paper: Any) -> Marks:
    """Return the viewer's marks, asking the database once per page for every paper on it."""
    request = context["request"]
    known: dict[int, Marks] | None = getattr(request, "_paperwire_marks", None)
    if known is None or paper.pk not in known:
        ids = paper_ids_on_page(context, paper)
        found = marks(request.user, ids)
        known = {**(known or {}), **{pk: found for pk in ids}}
        request._paperwire_marks = known
    return known[paper.pk]


@register.filter
def author_url(name: str) -> str:
    """Return the address of an author's page (no reverse() per name: a card lists several)."""
    return f"{get_script_prefix()}authors/{quote(name, safe=AUTHOR_SAFE)}"


@register.simple_tag(takes_context=True)
def personal_buttons(context: template.Context, paper: Any, size: str = "") -> SafeString:
    """Render Save and Not interested for a signed-in member (nothing for visitors)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return mark_safe("")
    token = getattr(request, "_paperwire_csrf", None) or get_token(request)
    request._paperwire_csrf = token
    m = _marks(context, paper)
    anchor = f"#paper-{slugify(paper.arxiv_id)}" if size != "wide" else ""
    next_url = f"{request.get_full_path()}{anchor}"
    save = render.save_button(paper, paper.pk in m.saved, csrf_token=token, next_url=next_url, size=size)
    nope = render.not_interested_button(
        paper, paper.pk in m.not_interested, csrf_token=token, next_url=next_url, size=size
    )
    return mark_safe(f'<div class="personal-actions">{save}{nope}</div>')  # noqa: S308  (built escaped)


@register.simple_tag(takes_context=True)
def hidden_line(context: template.Context, hidden: int) -> SafeString:
    """Render "N papers hidden by your mute rules — show them" (or the way back once shown)."""
    request = context.get("request")
    if request is None or not hidden:
        return mark_safe("")
    revealed = request.GET.get("show_hidden") == "1"
    query = request.GET.copy()
    query.pop("page", None)
    if revealed:
        query.pop("show_hidden", None)
        text, link = f"Showing {hidden} paper{'s' if hidden != 1 else ''} your mute rules hide", "hide them"
    else:
        query["show_hidden"] = "1"
        s = "s" if hidden != 1 else ""
        text, link = f"{hidden} paper{s} hidden by your mute rules", "show them"
    qs = query.urlencode()
    href = f"{request.path}?{qs}" if qs else request.path
    return mark_safe(  # noqa: S308  (escaped)
        f'<p class="hidden-line" role="status">{text} — <a href="{escape(href)}">{link}</a></p>'
    )
