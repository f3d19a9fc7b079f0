"""Subscribing, confirming and unsubscribing: address checks, rate limits, double opt-in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from paperwire.ratelimits.limits import consume, hashed

from .mail import render_message
from .models import Subscription, new_nonce
from .tokens import confirm_token, read_confirm, read_unsubscribe

MAX_ADDRESS = 254  # RFC 5321's limit on a forward path


class BadAddress(ValueError):
    """An e-mail address that cannot be subscribed."""


def clean_address(raw: str) -> str:
    """Return raw as a plain, checked e-mail address (domain lower-cased), or raise BadAddress."""
    if any(c in raw for c in "\r\n\0"):
        raise BadAddress("An e-mail address cannot contain line breaks.")
    address = raw.strip()
    if not address:
        raise BadAddress("Enter an e-mail address.")
    if len(address) > MAX_ADDRESS or not address.isprintable():
        raise BadAddress("This e-mail address is not valid.")
    try:
        # Refuses display names ("Name" <a@b>), several addresses, spaces and control characters.
        validate_email(address)
    except ValidationError:
        raise BadAddress("This e-mail address is not valid.") from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_rate(client: str, address: str) -> None:
    """Count a subscription request; raise RateLimited when the client or address is over the limit."""
    rule = f"{settings.DIGEST_SUBSCRIBE_LIMIT}/{settings.DIGEST_SUBSCRIBE_WINDOW}s"
    consume("subscribe", f"ip:{client}", rule)
    consume("subscribe", f"address:{hashed(address)}", rule)


def absolute(path: str) -> str:
    """Return path as an absolute URL on this instance's public address."""
    return settings.BASE_URL + path


def request_subscription(raw_address: str, frequency: str, *, client: str, now: dt.datetime) -> Subscription:
    """Record a subscription request and mail its confirmation link; nothing else is sent until then.

    The same happens whether or not the address is already subscribed, so the answer tells a
    stranger nothing; a confirmed subscription changes (frequency) only through the new link.
    """
    if frequency not in dict(Subscription.FREQUENCIES):
        raise BadAddress("Choose daily or weekly.")
    address = clean_address(raw_address)
    check_rate(client, address)
    with transaction.atomic():
        sub, _ = Subscription.objects.get_or_create(email=address)
        sub.confirm_nonce = new_nonce()  # only the newest confirmation link works
        sub.save(update_fields=["confirm_nonce"])
    url = absolute(reverse("digests:confirm", args=[confirm_token(sub, frequency)]))
    message = render_message(
        "digests/email/confirm",
        {
            "confirm_url": url,
            "frequency": dict(Subscription.FREQUENCIES)[frequency],
            "hours": settings.DIGEST_CONFIRM_HOURS,
            "base_url": settings.BASE_URL,
        },
        to=address,
    )
    message.send()
    return sub


def confirm(token: str, *, now: dt.datetime) -> Subscription:
    """Activate the subscription a confirmation token names (once), or raise BadToken."""
    with transaction.atomic():
        sub, frequency = read_confirm(token)
        # Conditional on the nonce: of two clicks at once, one wins and the other is "used".
        updated = Subscription.objects.filter(pk=sub.pk, confirm_nonce=sub.confirm_nonce).update(
            confirm_nonce=new_nonce(),
            status=Subscription.ACTIVE,
            frequency=frequency,
            confirmed_at=now,
            unsubscribed_at=None,
            bounces=0,
        )
        if not updated:
            read_confirm(token)  # raises "already used"
    sub.refresh_from_db()
    return sub


def unsubscribe(token: str, *, now: dt.datetime) -> Subscription:
    """End the subscription an unsubscribe token names, or raise BadToken."""
    with transaction.atomic():
        sub = read_unsubscribe(token)
        Subscription.objects.filter(pk=sub.pk).update(
            status=Subscription.UNSUBSCRIBED, unsubscribed_at=now, unsubscribe_nonce=new_nonce()
        )
    sub.refresh_from_db()
    return sub
