"""A member's digest made personal: their mute rules applied and a "For you" section added."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import get_template

from paperwire.papers.models import Paper
from paperwire.papers.periods import Period

from . import hiding, ranking
from .signals import mark_seen

log = logging.getLogger(__name__)


def for_you_section(user: Any, period: Period, limit: int | None = None) -> dict[str, Any] | None:
    """Return the member's top papers of the period with their reasons (None without a model or follows)."""
    from paperwire.digests.digest import paper_item

    result = ranking.for_you(user, period, limit=limit or settings.DIGEST_PAPERS)
    if result.cold or not result.picks:
        return None
    return {
        "papers": [{**paper_item(p.paper), "why": p.why} for p in result.picks],
        "hidden": result.hidden,
        "pks": [p.paper.pk for p in result.picks],
    }


def member_sections(user_id: int, period: Period, shared_ids: list[str]) -> tuple[str, str, set[str]]:
    """Return (text, html) of a member's "For you" section, and which shared papers their mutes hide.

    The papers put before the member are marked seen, so /for-you can tell them apart.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "", "", set()
    shared = list(Paper.objects.filter(arxiv_id__in=shared_ids))
    hidden_pks = hiding.hidden_ids(user, shared)
    hidden = {p.arxiv_id for p in shared if p.pk in hidden_pks}
    try:
        section = for_you_section(user, period)
    except (OSError, RuntimeError, ValueError):
        log.exception("no For you section for member %s", user_id)
        section = None
    seen = [p.pk for p in shared if p.pk not in hidden_pks] + (section["pks"] if section else [])
    mark_seen(user, seen)
    if section is None:
        return "", "", hidden
    context = {"section": section, "period": period}
    text = get_template("personal/email/_for_you.txt").render(context)
    html = get_template("personal/email/_for_you.html").render(context)
    return text, html, hidden
