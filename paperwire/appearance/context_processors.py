"""Put the reader's chosen theme ("light", "dark" or "" for the system's) in every template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import THEMES


def chosen_theme(request: HttpRequest) -> str:
    """Return the theme this browser chose (cookie), else this member's (session), else ""."""
    theme = request.COOKIES.get("theme", "")
    if theme in THEMES:
        return theme
    session = getattr(request, "session", None)
    theme = session.get("theme", "") if session is not None else ""
    return theme if theme in THEMES else ""


def theme(request: HttpRequest) -> dict[str, Any]:
    """Return the template context: theme."""
    return {"theme": chosen_theme(request)}
