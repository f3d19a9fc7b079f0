"""Query-string numbers read one way everywhere: malformed or out of range is a 400 with a message."""

from __future__ import annotations

import re

from django.http import HttpRequest

# ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() then refuses.
DIGITS = re.compile(r"[0-9]{1,9}")
MAX_PAGE = 100_000  # far past the last page of any feed; keeps OFFSET within a 64-bit integer


class BadParameter(ValueError):
    """A malformed request parameter; the middleware answers it with 400 and this message."""


def whole_number(raw: str, name: str, *, least: int = 0, most: int = MAX_PAGE) -> int:
    """Return raw as an integer between least and most, or raise BadParameter naming the parameter."""
    if not DIGITS.fullmatch(raw):
        raise BadParameter(f"{name} must be a whole number, not {raw[:40]!r}.")
    value = int(raw)
    if not least <= value <= most:
        raise BadParameter(f"{name} must be between {least} and {most}, not {value}.")
    return value


def page_number(request: HttpRequest, name: str = "page") -> int:
    """Return the request's 1-based page number (1 when absent), or raise BadParameter."""
    raw = request.GET.get(name, "") or "1"
    return whole_number(raw, name, least=1)


def wants_json(request: HttpRequest) -> bool:
    """Return whether the client asked for the page's JSON twin."""
    return request.GET.get("format") == "json"
