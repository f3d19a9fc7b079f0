"""Follows and mute rules: adding, removing and checking what a member asked for."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from paperwire.papers.models import Paper
from paperwire.search import querylang

from .matching import matches
from .models import FOLLOW_KINDS, MUTE_KINDS, Follow, Mute
from .signals import bump

CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")  # cs.LG, hep-th, math.AG, q-bio.NC
MAX_RULES = 500  # follows or mutes per member: each is checked on every card they see


class BadRule(ValueError):
    """A follow or mute that cannot be kept; the message says why."""


def normalise(kind: str, value: str) -> str:
    """Return the value as stored: names and words with single spaces, categories as arXiv writes them."""
    value = " ".join(value.split())
    if not value:
        raise BadRule(f"Give the {kind} to use.")
    if len(value) > 200:
        raise BadRule(f"A {kind} is at most 200 characters; this one has {len(value)}.")
    if kind == "category" and not CATEGORY.match(value):
        raise BadRule(f"{value[:40]!r} is not an arXiv category such as cs.LG or hep-th.")
    if kind == "word" and len(value) < 2:
        raise BadRule("A muted word needs at least two letters.")
    return value


def _add(model: Any, kinds: list[tuple[str, str]], user: Any, kind: str, value: str) -> Any:
    if kind not in dict(kinds):
        raise BadRule(f"kind must be one of {', '.join(dict(kinds))}, not {kind[:20]!r}.")
    value = normalise(kind, value)
    if model.objects.filter(user=user).count() >= MAX_RULES:
        raise BadRule(f"You have {MAX_RULES} already; remove one first.")
    try:
        with transaction.atomic():
            row, created = model.objects.get_or_create(user=user, kind=kind, value=value)
    except IntegrityError:
        row, created = model.objects.get(user=user, kind=kind, value=value), False
    if created:
        bump(user)
    return row


def follow(user: Any, kind: str, value: str) -> Follow:
    """Follow an author, a category or a query (kept once)."""
    return _add(Follow, FOLLOW_KINDS, user, kind, value)


def mute(user: Any, kind: str, value: str) -> Mute:
    """Add a mute rule for an author, a category or a word or phrase (kept once)."""
    return _add(Mute, MUTE_KINDS, user, kind, value)


def unfollow(user: Any, kind: str, value: str) -> bool:
    """Stop following; return whether there was such a follow."""
    deleted, _ = Follow.objects.filter(user=user, kind=kind, value=" ".join(value.split())).delete()
    if deleted:
        bump(user)
    return bool(deleted)


def unmute(user: Any, kind: str, value: str) -> bool:
    """Remove a mute rule; return whether there was such a rule."""
    deleted, _ = Mute.objects.filter(user=user, kind=kind, value=" ".join(value.split())).delete()
    return bool(deleted)


class Interests:
    """A member's follows, ready to test papers against."""

    def __init__(self, user: Any) -> None:
        rows = (
            list(Follow.objects.filter(user=user).values_list("kind", "value"))
            if user.is_authenticated
            else []
        )
        self.authors = {v.casefold(): v for k, v in rows if k == "author"}
        self.categories = {v for k, v in rows if k == "category"}
        self.queries = [v for k, v in rows if k == "query"]
        if user.is_authenticated:  # a saved search counts as a followed query
            from paperwire.feeds.models import SavedSearch

            saved = SavedSearch.objects.filter(user=user).values_list("query", flat=True)
            self.queries += [q for q in saved if q not in self.queries]
        self._parsed = [(q, querylang.parse(q)) for q in self.queries]

    def __bool__(self) -> bool:
        return bool(self.authors or self.categories or self.queries)

    def followed_authors(self, paper: Paper) -> list[str]:
        return [self.authors[a.casefold()] for a in paper.authors if a.casefold() in self.authors]

    def followed_categories(self, paper: Paper) -> list[str]:
        return [c for c in paper.categories if c in self.categories]

    def matched_queries(self, paper: Paper) -> list[str]:
        return [
            q
            for q, parsed in self._parsed
            if (parsed.has_text or parsed.has_filters) and matches(parsed, paper)
        ]
