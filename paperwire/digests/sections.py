"""Sections a higher app adds to a member's digest (the personal app's "For you"), registered at start.

A section maker takes (user id, period, the shared papers' arXiv ids) and returns the section's
text and HTML and the shared papers the member's rules hide; digests never import its maker's app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

MemberSections = Callable[[int, Any, list[str]], tuple[str, str, set[str]]]
_makers: list[MemberSections] = []
# A query of the ids of the papers a member keeps up with beyond their upvotes (their library).
FollowedPapers = Callable[[int], Any]
_followed: list[FollowedPapers] = []


def register_followed(papers: FollowedPapers) -> None:
    """Add the papers papers(user id) names to those whose new versions a member's digest reports."""
    if papers not in _followed:
        _followed.append(papers)


def followed_filter(user_id: int) -> Q:
    """Return the filter on papers a member follows: those they upvoted and every registered kind."""
    followed = Q(votes__user_id=user_id)
    for papers in _followed:
        followed |= Q(pk__in=papers(user_id))
    return followed


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
