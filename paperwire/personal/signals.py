"""The signals a member gives: save to library, not interested, reading status, seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from paperwire.community.models import Vote
from paperwire.papers.models import Paper

from .models import LibraryItem, NotInterested, Seen, Taste


def bump(user: Any) -> None:
    """Record that the member's signals changed, so their model is trained again when next used."""
    updated = Taste.objects.filter(user=user).update(version=F("version") + 1)
    if not updated:
        try:
            with transaction.atomic():
                Taste.objects.create(user=user, version=1)
        except IntegrityError:  # created meanwhile by a concurrent request
            Taste.objects.filter(user=user).update(version=F("version") + 1)


def _toggle(model: Any, user: Any, paper: Paper, want: bool | None) -> bool:
    """Add (True), remove (False) or toggle (None) the member's row for paper; return the new state."""
    with transaction.atomic():
        exists = model.objects.filter(user=user, paper=paper).exists()
        want = not exists if want is None else want
        if want and not exists:
            try:
                with transaction.atomic():
                    model.objects.create(user=user, paper=paper)
            except IntegrityError:
                pass  # the same click arrived twice
        elif not want and exists:
            model.objects.filter(user=user, paper=paper).delete()
        if want != exists:
            bump(user)
    return want


def set_saved(user: Any, paper: Paper, want: bool | None = None) -> bool:
    """Save paper to the member's library (or take it out); return whether it is saved now."""
    saved = _toggle(LibraryItem, user, paper, want)
    if saved:
        NotInterested.objects.filter(user=user, paper=paper).delete()  # the newer signal wins
    return saved


def set_not_interested(user: Any, paper: Paper, want: bool | None = None) -> bool:
    """Mark paper "not interested" for the member (or undo it); return whether it is marked now."""
    marked = _toggle(NotInterested, user, paper, want)
    if marked:
        LibraryItem.objects.filter(user=user, paper=paper).delete()
    return marked


def set_status(user: Any, paper: Paper, status: str) -> LibraryItem:
    """Set the reading status of a paper, saving it to the library first when needed."""
    if status not in dict(LibraryItem.STATUSES):
        raise ValueError(
            f"status must be one of {', '.join(dict(LibraryItem.STATUSES))}, not {status[:20]!r}"
        )
    if not LibraryItem.objects.filter(user=user, paper=paper).exists():
        set_saved(user, paper, True)
    read_at = timezone.now() if status == "read" else None
    LibraryItem.objects.filter(user=user, paper=paper).update(status=status, read_at=read_at)
    return LibraryItem.objects.get(user=user, paper=paper)


def mark_seen(user: Any, papers: Iterable[Paper | int]) -> int:
    """Record that these papers were put before the member (a digest); return how many were new."""
    pks = {p if isinstance(p, int) else p.pk for p in papers}
    known = set(Seen.objects.filter(user=user, paper_id__in=pks).values_list("paper_id", flat=True))
    rows = [Seen(user=user, paper_id=pk) for pk in pks - known]
    Seen.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@dataclass(frozen=True)
class Marks:
    """What one member has done with a set of papers, for drawing their buttons."""

    saved: dict[int, str]  # paper pk -> reading status
    not_interested: set[int]
    seen: set[int]


def marks(user: Any, pks: Iterable[int]) -> Marks:
    """Return the member's saves, not-interested marks and seen papers among pks."""
    ids = list(pks)
    if not getattr(user, "is_authenticated", False) or not ids:
        return Marks({}, set(), set())
    saved = dict(LibraryItem.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", "status"))
    nope = set(NotInterested.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))
    seen = set(Seen.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))
    seen |= {pk for pk, status in saved.items() if status == "read"}
    return Marks(saved, nope, seen)


def positive_ids(user: Any, since: dt.datetime | None = None) -> list[int]:
    """Return the papers the member likes: saved (library, collections) or upvoted, newest first."""
    lib = LibraryItem.objects.filter(user=user)
    votes = Vote.objects.filter(user=user)
    if since is not None:
        lib, votes = lib.filter(saved_at__gt=since), votes.filter(created_at__gt=since)
    saved = list(lib.order_by("-saved_at").values_list("paper_id", flat=True))
    voted = list(votes.order_by("-created_at").values_list("paper_id", flat=True))
    seen: set[int] = set()
    out = []
    for pk in saved + voted:
        if pk not in seen:
            seen.add(pk)
            out.append(pk)
    return out


def negative_ids(user: Any, since: dt.datetime | None = None) -> list[int]:
    """Return the papers the member marked "not interested"."""
    rows = NotInterested.objects.filter(user=user)
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    return list(rows.values_list("paper_id", flat=True))
