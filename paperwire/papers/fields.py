"""Record fields as every source reads them (files, arXiv, OAI-PMH, Hugging Face): text clean-up,
dates, withdrawn papers."""

from __future__ import annotations

import datetime as dt
import re

PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t])")  # a blank line, or an indented line (OAI)
WITHDRAWN = re.compile(
    r"\b(?:this|the)\s+(?:paper|article|manuscript|submission|preprint|work)\s+(?:has\s+been|is|was)\s+withdrawn"
    r"|\bwithdrawn\s+by\s+(?:the\s+)?(?:author|arxiv|submitter)",
    re.IGNORECASE,
)


class InvalidField(ValueError):
    """A record whose field is missing or malformed; the message names the field."""


def squash(text: str | None) -> str:
    """Fold runs of whitespace (arXiv's hard line breaks) into one space."""
    return " ".join((text or "").split())


def abstract_text(text: str | None) -> str:
    """Return an abstract with arXiv's hard wrapping undone and its paragraphs kept."""
    paragraphs = [squash(p) for p in PARAGRAPH_BREAK.split((text or "").strip())]
    return "\n".join(p for p in paragraphs if p)


def is_withdrawn(comments: str, abstract: str = "", size: str | None = None) -> bool:
    """Return whether arXiv's metadata says the paper was withdrawn (a 0kb latest version too)."""
    if size is not None and size.strip().lower() in {"0kb", "0 kb"}:
        return True
    return bool(WITHDRAWN.search(comments) or WITHDRAWN.search(abstract[:300]))


def iso_datetime(value: str | None, field: str) -> dt.datetime:
    """Return an ISO 8601 timestamp (…Z or with an offset) as an aware UTC datetime."""
    if not value or not value.strip():
        raise InvalidField(f"missing {field!r}")
    text = value.strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidField(f"{field!r} is not a timestamp: {text[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def iso_date(value: str | None, field: str) -> dt.date:
    """Return a YYYY-MM-DD date (a longer timestamp is cut to its date)."""
    if not value or not value.strip():
        raise InvalidField(f"missing {field!r}")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidField(f"{field!r} is not a date: {value.strip()[:40]!r}") from None


def utc_z(when: dt.datetime) -> str:
    """Return an aware datetime as ISO 8601 with a Z."""
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def unique(items: list[str]) -> list[str]:
    """Return items without blanks or repeats, in their first order."""
    return list(dict.fromkeys(i for i in items if i))
