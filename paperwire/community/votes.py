"""Upvotes: one per member per paper, with Paper.upvotes kept exact in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from paperwire.papers.models import Paper

from .models import Vote


@dataclass(frozen=True)
class VoteResult:
    voted: bool  # whether the member's vote stands now
    changed: bool  # whether this call added or removed it
    upvotes: int  # the paper's local count after the change


def set_vote(user: Any, paper: Paper, want: bool | None = None) -> VoteResult:
    """Add (want=True), remove (False) or toggle (None) a member's vote, and return the new state.

    The Vote row and the counter change in one transaction: the unique constraint on
    (user, paper) turns a duplicate insert into "already voted", and F() updates add or take
    one in the database, so concurrent votes never lose a count. Callers check first that the
    member may vote (members.refusal), so every vote counted here is one that counts.
    """
    with transaction.atomic():
        if want is None:
            want = not Vote.objects.filter(user=user, paper=paper).exists()
        changed = False
        if want:
            try:
                with transaction.atomic():  # a savepoint: a duplicate leaves the outer block usable
                    Vote.objects.create(user=user, paper=paper)
                changed = True
            except IntegrityError:
                changed = False
            if changed:
                Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") + 1)
        else:
            deleted, _ = Vote.objects.filter(user=user, paper=paper).delete()
            if deleted:
                changed = True
                Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") - 1)
        count = Paper.objects.filter(pk=paper.pk).values_list("upvotes", flat=True).get()
    paper.upvotes = count
    return VoteResult(voted=want, changed=changed, upvotes=count)


def voted_ids(user: Any, paper_ids: Iterable[int]) -> set[int]:
    """Return which of these papers the user has upvoted."""
    ids = list(paper_ids)
    if not user.is_authenticated or not ids:
        return set()
    return set(Vote.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))
