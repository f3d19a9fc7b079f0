"""Template filters for paper pages: math, author lists, dates."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from paperwire.papers.latex import render_math

register = template.Library()

AUTHORS_SHOWN = 4  # names on a card before "and N more"


@register.filter
def math(text: str) -> SafeString:
    """Render LaTeX math in text as MathML; escape everything else."""
    return render_math(text or "")


@register.filter
def first_authors(authors: list[str]) -> list[str]:
    """Return the names shown on a card."""
    return list(authors or [])[:AUTHORS_SHOWN]


@register.filter
def more_authors(authors: list[str]) -> int:
    """Return how many names a card leaves out."""
    return max(len(authors or []) - AUTHORS_SHOWN, 0)
