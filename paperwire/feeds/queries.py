"""The feeds app's queries: saved searches by member, by feed token, in a digest."""

from __future__ import annotations

from typing import Any

from .models import SavedSearch


def member_searches(user: Any) -> list[SavedSearch]:
    """Return a member's saved searches by name."""
    return list(SavedSearch.objects.filter(user=user).order_by("name", "pk"))


def digest_searches(user_id: int | None) -> list[SavedSearch]:
    """Return the saved searches that are sections of a member's digest, by name (none for others)."""
    if user_id is None:
        return []  # an anonymous subscriber
    return list(SavedSearch.objects.filter(user_id=user_id, in_digest=True).order_by("name", "pk"))


def by_feed_token(token: str) -> SavedSearch | None:
    """Return the saved search whose private feed URLs carry token, if any."""
    return SavedSearch.objects.filter(feed_token=token).first()
