"""Copy a member's saved theme into the session when they log in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import ThemeChoice


@receiver(user_logged_in)
def remember_theme(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Put the member's theme in the session, for browsers with no theme cookie yet."""
    theme = ThemeChoice.objects.filter(user=user).values_list("theme", flat=True).first()
    if theme and request is not None and hasattr(request, "session"):
        request.session["theme"] = theme
