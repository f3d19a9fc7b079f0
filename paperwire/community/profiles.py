"""What a member's public profile shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from paperwire.papers.models import Paper

from .comments import visible_comments
from .members import member_of

SHOWN = 50  # items per list on a profile


def profile_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Return a member's profile: submissions, comments, and upvotes when they are shown."""
    member = member_of(user)
    own = request.user.is_authenticated and request.user.pk == user.pk
    show_votes = own or member.show_upvotes
    suspended = member.suspended
    papers = Paper.objects.filter(hidden=False)
    submitted = (
        []
        if suspended
        else list(
            papers.filter(submission__user=user, submission__hidden=False).order_by("-submitted_at")[:SHOWN]
        )
    )
    comments = (
        []
        if suspended
        else list(
            visible_comments()
            .filter(author=user, paper__hidden=False)
            .select_related("paper")
            .order_by("-created_at")[:SHOWN]
        )
    )
    upvoted = (
        list(papers.filter(votes__user=user).order_by("-votes__created_at")[:SHOWN]) if show_votes else []
    )
    return {
        "profile_user": user,
        "member": member,
        "own": own,
        "show_votes": show_votes,
        "submitted": submitted,
        "comments": comments,
        "upvoted": upvoted,
    }
