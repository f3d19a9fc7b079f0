"""What is hidden for a member: papers their mute rules match and papers they are not interested in.

Every surface that lists papers for a member (feeds, /search, /for-you, digests, private feeds,
the API) asks `split` here, so a rule hides the same papers everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from paperwire.papers.models import Paper
from paperwire.papers.visibility import Split

from .matching import _phrase
from .models import Mute, NotInterested

T = TypeVar("T")
ASK_BY_ID = 500  # papers above which a member's "not interested" marks are read whole


class MuteRules:
    """A member's mute rules, ready to test papers against."""

    def __init__(self, user: Any) -> None:
        self.user = user
        rows = (
            list(Mute.objects.filter(user=user).values_list("kind", "value")) if user.is_authenticated else []
        )
        self.authors = {v.casefold() for k, v in rows if k == "author"}
        self.categories = {v for k, v in rows if k == "category"}
        self.words: list[re.Pattern[str]] = [_phrase(v) for k, v in rows if k == "word"]

    @property
    def reads_labels(self) -> bool:
        """Return whether the rules look at authors or categories."""
        return bool(self.authors or self.categories)

    @property
    def reads_abstracts(self) -> bool:
        """Return whether the rules look at abstracts (word rules do)."""
        return bool(self.words)

    def matches(self, paper: Paper) -> bool:
        """Return whether a mute rule matches paper."""
        if self.categories and not self.categories.isdisjoint(paper.categories):
            return True
        if self.authors and any(a.casefold() in self.authors for a in paper.authors):
            return True
        if self.words:
            text = f"{paper.title}\n{paper.abstract}"
            return any(rx.search(text) for rx in self.words)
        return False


def hidden_ids(user: Any, papers: Sequence[Paper], rules: MuteRules | None = None) -> set[int]:
    """Return the pks of the papers hidden for the member: muted or marked not interested
    (rules: the member's, when the caller has read them already)."""
    if not getattr(user, "is_authenticated", False) or not papers:
        return set()
    rules = rules or MuteRules(user)
    pks = [p.pk for p in papers]
    marked = NotInterested.objects.filter(user=user)
    if len(pks) > ASK_BY_ID:
        # A long list (a day's 5,000 papers for /for-you at 2.5M) cost more to bind as an IN
        # list (200 ms) than reading the member's own marks, which are few, and matching here.
        mine = set(marked.values_list("paper_id", flat=True))
        hidden = {pk for pk in pks if pk in mine}
    else:
        hidden = set(marked.filter(paper_id__in=pks).values_list("paper_id", flat=True))
    hidden.update(p.pk for p in papers if rules.matches(p))
    return hidden


def split(
    user: Any,
    items: Sequence[T],
    *,
    reveal: bool = False,
    paper_of: Any = None,
    rules: MuteRules | None = None,
) -> Split:
    """Return items without those hidden for the member (or all of them, marked, when reveal is set).

    paper_of maps an item to its Paper when the items are not papers themselves (search hits).
    """
    get = paper_of or (lambda x: x)
    hidden = hidden_ids(user, [get(i) for i in items], rules)
    if reveal:
        return Split(list(items), len(hidden), hidden)
    return Split([i for i in items if get(i).pk not in hidden], len(hidden))
