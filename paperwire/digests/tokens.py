"""Signed, expiring links for confirming and ending a subscription (django.core.signing)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing

from .models import Subscription

CONFIRM_SALT = "paperwire.digests.confirm"
UNSUBSCRIBE_SALT = "paperwire.digests.unsubscribe"


class BadToken(Exception):
    """A link that is forged, expired or already used; the message says which, for people."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def confirm_token(sub: Subscription, frequency: str) -> str:
    """Return the signed token of a confirmation link for sub at the requested frequency."""
    return signing.dumps([sub.pk, sub.confirm_nonce, frequency], salt=CONFIRM_SALT, compress=False)


def unsubscribe_token(sub: Subscription) -> str:
    """Return the signed token of sub's unsubscribe link."""
    return signing.dumps([sub.pk, sub.unsubscribe_nonce], salt=UNSUBSCRIBE_SALT, compress=False)


def _load(token: str, salt: str, max_age: dt.timedelta) -> list[object]:
    if len(token) > 200:  # ours are under 100 characters; refuse to hash megabytes
        raise BadToken("This link is not valid.", status=400)
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("This link has expired.", status=410) from None
    except signing.BadSignature:
        raise BadToken("This link is not valid.", status=400) from None
    if not isinstance(value, list) or not value or not isinstance(value[0], int):
        raise BadToken("This link is not valid.", status=400)
    return value


def read_confirm(token: str) -> tuple[Subscription, str]:
    """Return the subscription and frequency a confirmation token names, or raise BadToken."""
    value = _load(token, CONFIRM_SALT, dt.timedelta(hours=settings.DIGEST_CONFIRM_HOURS))
    pk, nonce, frequency = (value + [None, None])[:3]
    sub = Subscription.objects.filter(pk=int(str(pk))).first()
    if sub is None or sub.confirm_nonce != nonce or frequency not in dict(Subscription.FREQUENCIES):
        raise BadToken("This link was already used, or a newer one was sent.", status=410)
    return sub, str(frequency)


def read_unsubscribe(token: str) -> Subscription:
    """Return the subscription an unsubscribe token names, or raise BadToken."""
    value = _load(token, UNSUBSCRIBE_SALT, dt.timedelta(days=settings.DIGEST_UNSUBSCRIBE_DAYS))
    pk, nonce = (value + [None])[:2]
    sub = Subscription.objects.filter(pk=int(str(pk))).first()
    if sub is None or sub.unsubscribe_nonce != nonce or sub.status == Subscription.UNSUBSCRIBED:
        raise BadToken("This link was already used: the subscription has ended.", status=410)
    return sub
