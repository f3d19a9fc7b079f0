"""Members' own subscriptions: the digest part of the settings page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import Subscription, new_nonce


class NotVerified(Exception):
    """A member without a verified e-mail address asks for the digest."""


class BadFrequency(ValueError):
    """A frequency that is neither daily nor weekly."""


def verified_address(user: Any) -> str | None:
    """Return the member's verified e-mail address (the primary one first), or None."""
    row = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk").first()
    return row.email if row else None


def member_subscription(user: Any) -> Subscription | None:
    """Return the subscription of the member's verified address, else one linked to the account.

    A subscription made from the public box for the member's verified address becomes theirs
    here, so that their saved searches join the digest it gets.
    """
    address = verified_address(user)
    if address:
        sub = Subscription.objects.filter(email__iexact=address).first()
        if sub is not None:
            if sub.user_id != user.pk:
                Subscription.objects.filter(pk=sub.pk).update(user=user)
                sub.user = user
            return sub
    return Subscription.objects.filter(user=user).order_by("-pk").first()


def subscribe_member(user: Any, frequency: str, *, now: dt.datetime) -> Subscription:
    """Subscribe the member's verified address at once: allauth has confirmed it already."""
    if frequency not in dict(Subscription.FREQUENCIES):
        raise BadFrequency("Choose daily or weekly.")
    address = verified_address(user)
    if address is None:
        raise NotVerified("Confirm your e-mail address first: open the link in the e-mail we sent you.")
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().filter(email__iexact=address).first()
        if sub is None:
            sub = Subscription(email=address)
        newly = sub.status != Subscription.ACTIVE
        sub.user = user  # an earlier anonymous subscription of this address is the member's own
        sub.frequency = frequency
        if newly:
            sub.status = Subscription.ACTIVE
            sub.confirmed_at = now  # like a confirmation: the next digest due is the first
            sub.unsubscribed_at = None
            sub.bounces = 0
            sub.confirm_nonce = new_nonce()  # a confirmation link still in a mailbox is void
        sub.save()
    return sub


def unsubscribe_member(user: Any, *, now: dt.datetime) -> Subscription | None:
    """End the member's subscription; return it (None when there was none)."""
    with transaction.atomic():
        sub = member_subscription(user)
        if sub is None or sub.status == Subscription.UNSUBSCRIBED:
            return sub
        Subscription.objects.filter(pk=sub.pk).update(
            status=Subscription.UNSUBSCRIBED, unsubscribed_at=now, unsubscribe_nonce=new_nonce()
        )
    sub.refresh_from_db()
    return sub
