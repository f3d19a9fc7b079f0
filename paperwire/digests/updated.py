"""The "Updated papers you follow" digest section: new versions and withdrawals since the last digest.

A member follows the papers they upvoted and those they saved to their library (the personal app
registers those through digests.sections).
Paper.revised_at is set by the upsert when a source brings a newer version or a withdrawal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.template.loader import get_template

from paperwire.papers.models import Paper
from paperwire.papers.queries import visible

from .models import DigestSend, Subscription
from .sections import followed_filter


def followed_since(sub: Subscription) -> dt.datetime | None:
    """Return when the member's previous digest went out (or they subscribed); None: not a member."""
    if sub.user_id is None:
        return None
    last = DigestSend.objects.filter(subscription=sub, status=DigestSend.SENT).aggregate(at=Max("sent_at"))
    return last["at"] or sub.confirmed_at or sub.created_at


def updated_papers(user_id: int, since: dt.datetime, limit: int) -> list[Paper]:
    """Return the papers user_id follows that got a new version or were withdrawn after since."""
    followed = visible().filter(followed_filter(user_id), revised_at__gt=since)
    return list(followed.distinct().order_by("-revised_at", "arxiv_id")[:limit])


def change_of(paper: Paper) -> str:
    """Return what changed, in words: "withdrawn" or "new version v3"."""
    if paper.withdrawn:
        return "withdrawn"
    return f"new version v{paper.latest_version}" if paper.latest_version else "updated"


def updated_section(sub: Subscription, item: Callable[[Paper], dict[str, Any]]) -> tuple[str, str]:
    """Return the text and HTML of the section ("" when nothing the member follows changed)."""
    since = followed_since(sub)
    if since is None or sub.user_id is None:
        return "", ""
    papers = updated_papers(sub.user_id, since, settings.DIGEST_PAPERS)
    if not papers:
        return "", ""
    context = {"papers": [{**item(p), "change": change_of(p)} for p in papers]}
    text = get_template("digests/email/_updated.txt").render(context)
    html = get_template("digests/email/_updated.html").render(context)
    return text, html
