"""The member's library and collections: listing, searching, collecting and importing papers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.models import Paper
from paperwire.papers.upsert import upsert_records
from paperwire.search import querylang

from . import signals
from .matching import matches
from .models import Collection, CollectionItem, LibraryItem

MAX_IMPORT = 200  # ids taken from one import: each unknown one costs arXiv's 3-second turn
IDS = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?!\w)", re.IGNORECASE)


@dataclass
class LibraryPage:
    items: list[LibraryItem]
    query: str = ""
    status: str = ""
    collection: Collection | None = None
    collections: list[Collection] = field(default_factory=list)


def library(
    user: Any, *, query: str = "", status: str = "", collection: Collection | None = None
) -> LibraryPage:
    """Return the member's saved papers, newest first, filtered by status, collection and a /search query."""
    rows = LibraryItem.objects.filter(user=user).select_related("paper").order_by("-saved_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    if collection is not None:
        rows = rows.filter(paper__in=CollectionItem.objects.filter(collection=collection).values("paper"))
    items = list(rows)
    if query.strip():
        q = querylang.parse(query)
        items = [i for i in items if matches(q, i.paper)]
    mine = list(Collection.objects.filter(user=user).order_by("name"))
    return LibraryPage(items, query, status, collection, mine)


class CollectionRefused(ValueError):
    """A collection change that cannot be made; the message says why."""


def create_collection(user: Any, name: str, public: bool) -> Collection:
    """Make a named collection, private unless asked."""
    name = " ".join(name.split())[:120]
    if not name:
        raise CollectionRefused("Give the collection a name.")
    return Collection.objects.create(user=user, name=name, public=public)


def add_to_collection(collection: Collection, paper: Paper, note: str = "") -> CollectionItem:
    """Put a paper in a collection (saving it to the library too) or change its note."""
    note = note.strip()[:1000]
    try:
        with transaction.atomic():
            item, created = CollectionItem.objects.get_or_create(
                collection=collection, paper=paper, defaults={"note": note}
            )
    except IntegrityError:
        item, created = CollectionItem.objects.get(collection=collection, paper=paper), False
    if not created and note != item.note:
        item.note = note
        item.save(update_fields=["note"])
    signals.set_saved(collection.user, paper, True)
    return item


def visible_collection(user: Any, pk: int) -> Collection | None:
    """Return a collection the viewer may see: their own, or anyone's public one."""
    c = Collection.objects.select_related("user").filter(pk=pk).first()
    if c is None or not (c.public or (user.is_authenticated and c.user_id == user.pk)):
        return None
    return c


@dataclass
class ImportReport:
    saved: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the line a person reads after an import."""
        line = f"Saved {len(self.saved)} paper{'s' if len(self.saved) != 1 else ''}"
        if self.fetched:
            line += f" ({len(self.fetched)} fetched from arXiv)"
        if self.unknown:
            line += f"; not found: {', '.join(self.unknown[:10])}"
        return line + "."


def found_ids(text: str) -> list[str]:
    """Return the arXiv ids in pasted text: a list of ids or URLs, or a BibTeX file's eprint fields."""
    out: list[str] = []
    for m in IDS.finditer(text):
        try:
            aid = parse_arxiv_id(m.group(1)).id
        except InvalidArxivId:
            continue
        if aid not in out:
            out.append(aid)
    return out[:MAX_IMPORT]


def import_ids(user: Any, text: str) -> ImportReport:
    """Save the papers named in text to the library, fetching unknown ones from arXiv like submissions."""
    from paperwire.community import arxiv

    report = ImportReport()
    for aid in found_ids(text):
        paper = Paper.objects.filter(arxiv_id=aid, hidden=False).first()
        if paper is None:
            record = arxiv.fetch_paper(aid)
            if record is None:
                report.unknown.append(aid)
                continue
            upsert_records([record])
            paper = Paper.objects.get(arxiv_id=aid)
            report.fetched.append(aid)
        signals.set_saved(user, paper, True)
        report.saved.append(aid)
    return report


def saved_papers(user_id: int) -> Any:
    """Return a query of the ids of the papers a member saved (their digest reports new versions)."""
    return LibraryItem.objects.filter(user_id=user_id).values("paper_id")
