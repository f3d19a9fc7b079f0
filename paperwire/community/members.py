"""Who may do what: verified, unsuspended members act; everyone else is told why not."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.validators import RegexValidator

from .models import Member

# Usernames appear in URLs and as "submitted by": plain ASCII, no look-alike letters.
username_validators = [
    RegexValidator(r"^[A-Za-z0-9_.-]+$", "Use letters, digits, '.', '_' and '-' only."),
]


def member_of(user: Any) -> Member:
    """Return the profile of a signed-in user, creating it for accounts made before profiles."""
    try:
        return user.member
    except Member.DoesNotExist:
        member, _ = Member.objects.get_or_create(user=user)
        return member


def refusal(user: Any) -> str | None:
    """Return why this user may not vote, comment or submit, or None when they may."""
    if not user.is_authenticated:
        return "Log in to do that."
    if not user.is_active:
        return "This account is inactive."
    if member_of(user).suspended:
        return "Your account is suspended: you cannot vote, comment or submit papers."
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return "Confirm your e-mail address first: open the link in the e-mail we sent you."
    return None
