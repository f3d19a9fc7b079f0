"""E-mail subscriptions and the record of every digest sent (or being sent) to them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from paperwire.feeds.models import new_feed_token  # noqa: F401  # migration 0002 names it here


def new_nonce() -> str:
    """Return a fresh random value that a signed link is bound to."""
    return secrets.token_urlsafe(12)


class Subscription(models.Model):
    """An e-mail address that gets the daily (weekdays) or weekly digest; no account needed."""

    DAILY, WEEKLY = "daily", "weekly"
    FREQUENCIES = [(DAILY, "Daily (weekdays)"), (WEEKLY, "Weekly")]
    PENDING, ACTIVE, PAUSED, UNSUBSCRIBED = "pending", "active", "paused", "unsubscribed"
    STATUSES = [
        (PENDING, "waiting for confirmation"),
        (ACTIVE, "active"),
        (PAUSED, "paused after bounces"),
        (UNSUBSCRIBED, "unsubscribed"),
    ]

    email = models.EmailField(max_length=254, unique=True)  # one subscription per address
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default=DAILY)
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING, db_index=True)
    # A member's own subscription, managed from their settings; anonymous ones have none.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="digest_subscriptions",
    )
    # Signed links carry one of these; changing it makes every earlier link of that kind void.
    confirm_nonce = models.CharField(max_length=32, default=new_nonce)
    unsubscribe_nonce = models.CharField(max_length=32, default=new_nonce)
    bounces = models.PositiveIntegerField(default=0)  # permanent failures in a row
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "frequency"], name="subscription_due")]

    def __str__(self) -> str:
        return f"{self.email} ({self.frequency}, {self.status})"


class DigestSend(models.Model):
    """One subscriber's digest for one period: claimed before it is sent, marked after."""

    PENDING, CLAIMED, SENT, FAILED = "pending", "claimed", "sent", "failed"
    STATUSES = [(PENDING, "pending"), (CLAIMED, "being sent"), (SENT, "sent"), (FAILED, "failed")]

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="sends")
    period = models.CharField(max_length=16)  # 2026-07-01 or 2026-W27
    status = models.CharField(max_length=8, choices=STATUSES, default=PENDING)
    claim = models.CharField(max_length=96, blank=True, db_index=True)  # host:pid:batch of the claimer
    claimed_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # set after temporary failures
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The exactly-once guarantee: one row per subscriber and period, whoever inserts first.
            models.UniqueConstraint(fields=["subscription", "period"], name="digest_send_once"),
        ]
        indexes = [models.Index(fields=["period", "status"], name="digest_send_todo")]

    def __str__(self) -> str:
        return f"{self.period} → {self.subscription_id} ({self.status})"
