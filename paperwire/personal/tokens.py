"""Personal API tokens: made once and shown once, kept only as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db.models import F
from django.utils import timezone

from .models import ApiToken

PREFIX = "pw_"  # tells a paperwire token apart in a config file or a leak scanner
MAX_TOKENS = 20  # live tokens per member


class TokenRefused(ValueError):
    """A token that cannot be made; the message says why."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(user: Any, name: str, *, write: bool = False) -> tuple[ApiToken, str]:
    """Make a token for the member; return the row and the token itself (shown this once only)."""
    name = " ".join(name.split())[:80]
    if not name:
        raise TokenRefused("Give the token a name, so you can tell it apart later.")
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= MAX_TOKENS:
        raise TokenRefused(f"You have {MAX_TOKENS} tokens; revoke one first.")
    raw = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=digest(raw), write=write)
    return row, raw


def revoke(user: Any, token_id: int) -> bool:
    """Revoke one of the member's tokens; return whether there was a live one."""
    return bool(
        ApiToken.objects.filter(user=user, pk=token_id, revoked_at=None).update(revoked_at=timezone.now())
    )


def authenticate(raw: str) -> ApiToken | None:
    """Return the live token row for a presented token (its user loaded), or None."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=digest(raw), revoked_at=None).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now(), name=F("name"))
    return row
