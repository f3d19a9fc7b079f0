"""Everything a member gave paperwire, as one JSON document they can download.

Sections name papers by arXiv id and times in ISO 8601 (UTC), so the file reads on its own.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from allauth.account.models import EmailAddress
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from paperwire.community.members import member_of
from paperwire.community.models import Comment, Report, Submission, Vote
from paperwire.digests.models import Subscription
from paperwire.feeds.models import SavedSearch
from paperwire.personal.models import Collection, Follow, LibraryItem, Mute, NotInterested

FORMAT_VERSION = 1


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def member_data(user: Any) -> dict[str, Any]:
    """Return everything user gave: profile, addresses, votes, comments, submissions, reports,
    digest subscription, saved searches, library, collections, follows, mutes and "not interested"."""
    member = member_of(user)
    comments = Comment.objects.filter(author=user).select_related("paper").order_by("created_at", "pk")
    return {
        "format": "paperwire-member-data",
        "version": FORMAT_VERSION,
        "exported_at": _time(timezone.now()),
        "account": {
            "username": user.get_username(),
            "display_name": member.display_name,
            "show_upvotes": member.show_upvotes,
            "joined": _time(user.date_joined),
            "emails": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("email")
            ],
        },
        "votes": [
            {"paper": arxiv_id, "at": _time(at)}
            for arxiv_id, at in Vote.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values_list("paper__arxiv_id", "created_at")
        ],
        "comments": [
            {
                "id": c.pk,
                "paper": c.paper.arxiv_id,
                "reply_to": c.parent_id,
                "body": c.body,
                "created_at": _time(c.created_at),
                "edited_at": _time(c.edited_at),
                "deleted": c.deleted,
                "hidden_by_moderators": c.hidden,
            }
            for c in comments
        ],
        "submissions": [
            {"paper": arxiv_id, "at": _time(at)}
            for arxiv_id, at in Submission.objects.filter(user=user)
            .order_by("submitted_at", "pk")
            .values_list("paper__arxiv_id", "submitted_at")
        ],
        "reports": [
            {"comment": comment_id, "reason": reason, "note": note, "at": _time(at)}
            for comment_id, reason, note, at in Report.objects.filter(reporter=user)
            .order_by("created_at", "pk")
            .values_list("comment_id", "reason", "note", "created_at")
        ],
        "digest": [
            {"email": s.email, "frequency": s.frequency, "status": s.status, "since": _time(s.confirmed_at)}
            for s in Subscription.objects.filter(user=user).order_by("pk")
        ],
        "saved_searches": [
            {"name": s.name, "query": s.query, "sort": s.sort, "mode": s.mode, "in_digest": s.in_digest}
            for s in SavedSearch.objects.filter(user=user).order_by("name", "pk")
        ],
        **personal_data(user),
    }


def personal_data(user: Any) -> dict[str, Any]:
    """Return the member's library, collections, follows, mutes and "not interested" marks."""
    collections = Collection.objects.filter(user=user).prefetch_related("items__paper").order_by("pk")
    return {
        "library": [
            {"paper": arxiv_id, "status": status, "saved_at": _time(saved), "read_at": _time(read)}
            for arxiv_id, status, saved, read in LibraryItem.objects.filter(user=user)
            .order_by("saved_at", "pk")
            .values_list("paper__arxiv_id", "status", "saved_at", "read_at")
        ],
        "collections": [
            {
                "name": c.name,
                "public": c.public,
                "created_at": _time(c.created_at),
                "papers": [
                    {"paper": i.paper.arxiv_id, "note": i.note, "added_at": _time(i.added_at)}
                    for i in sorted(c.items.all(), key=lambda i: (i.added_at, i.pk))
                ],
            }
            for c in collections
        ],
        "follows": [
            {"kind": kind, "value": value, "at": _time(at)}
            for kind, value, at in Follow.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values_list("kind", "value", "created_at")
        ],
        "mutes": [
            {"kind": kind, "value": value, "at": _time(at)}
            for kind, value, at in Mute.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values_list("kind", "value", "created_at")
        ],
        "not_interested": [
            {"paper": arxiv_id, "at": _time(at)}
            for arxiv_id, at in NotInterested.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values_list("paper__arxiv_id", "created_at")
        ],
    }


def member_download(request: HttpRequest) -> HttpResponse:
    """Send the signed-in member their data as a JSON file (anyone else: to the login page)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.path)
    body = json.dumps(member_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"paperwire-{request.user.get_username()}-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
