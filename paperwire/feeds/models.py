"""Saved searches: a member's query kept under a name, with a private feed and a digest section."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    """Return a fresh secret for a saved search's private feed URLs."""
    return secrets.token_urlsafe(24)  # 32 URL-safe characters, 192 random bits


class SavedSearch(models.Model):
    """A member's search (query, sort, mode) kept under a name: a digest section and a private feed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    # The query as the search page took it: control characters removed, at most 1,000 characters.
    query = models.TextField()
    sort = models.CharField(max_length=16, default="relevance")
    mode = models.CharField(max_length=16, default="hybrid")
    in_digest = models.BooleanField(default=True)  # a section of the member's digest
    # The private feed URLs carry this; a new one makes the old URLs answer 404.
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        db_table = "digests_savedsearch"  # made by the digests app; moved here without copying
        indexes = [models.Index(fields=["user", "in_digest"], name="saved_search_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
