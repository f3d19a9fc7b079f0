"""Sections a higher app adds to a member's digest (the personal app's "For you"), registered at start.

A section maker takes (user id, period, the shared papers' arXiv ids) and returns the section's
text and HTML and the shared papers the member's rules hide; digests never import its maker's app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MemberSections = Callable[[int, Any, list[str]], tuple[str, str, set[str]]]
_makers: list[MemberSections] = []


def register(maker: MemberSections) -> None:
    """Add maker to the sections of every member's digest (once)."""
    if maker not in _makers:
        _makers.append(maker)


def member_sections(user_id: int, period: Any, shared_ids: list[str]) -> tuple[str, str, set[str]]:
    """Return the registered sections' text and HTML for a member, and the shared papers they hide."""
    text, html, hidden = "", "", set()
    for maker in _makers:
        t, h, muted = maker(user_id, period, shared_ids)
        text, html = text + t, html + h
        hidden |= muted
    return text, html, hidden
