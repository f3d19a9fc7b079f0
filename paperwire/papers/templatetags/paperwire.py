"""Template filters for paper pages: math, author lists, dates."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

from paperwire.papers.latex import render_math

register = template.Library()

AUTHORS_SHOWN = 4  # names on a card before "and N more"


@register.filter
def math(text: str) -> SafeString:
    """Render LaTeX math in text as MathML; escape everything else."""
    return render_math(text or "")


@register.filter
def prose(text: str) -> SafeString:
    """Render an abstract as paragraphs: hard line breaks folded, blank lines kept, math as MathML."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return mark_safe("".join(f"<p>{render_math(p)}</p>" for p in paragraphs))  # noqa: S308  # render_math escapes


@register.filter
def folded(text: str) -> SafeString:
    """Render text on one line: all whitespace folded, math as MathML."""
    return render_math(" ".join((text or "").split()))


@register.filter
def first_authors(authors: list[str]) -> list[str]:
    """Return the names shown on a card."""
    return list(authors or [])[:AUTHORS_SHOWN]


@register.filter
def more_authors(authors: list[str]) -> int:
    """Return how many names a card leaves out."""
    return max(len(authors or []) - AUTHORS_SHOWN, 0)
