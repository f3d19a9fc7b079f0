"""The members' own lists in an instance export: library, collections, follows, mutes, dismissals.

Rows name members by username and papers by arXiv id, like the rest of the export. Learned
models (retrained from these), "seen" marks and API tokens (secrets) stay behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from paperwire.papers.models import Paper
from paperwire.personal.models import Collection, CollectionItem, Follow, LibraryItem, Mute, NotInterested

KEYS = ("library", "collections", "follows", "mutes", "not_interested")
MODELS = (LibraryItem, Collection, CollectionItem, Follow, Mute, NotInterested)


def export_personal(t: Callable[[dt.datetime | None], str | None]) -> dict[str, Any]:
    """Return every member's library, collections, follows, mutes and "not interested" marks."""
    collections = Collection.objects.select_related("user").prefetch_related("items__paper")
    return {
        "library": [
            {"user": u, "paper": p, "status": s, "saved_at": t(saved), "read_at": t(read)}
            for u, p, s, saved, read in LibraryItem.objects.order_by(
                "user__username", "paper__arxiv_id"
            ).values_list("user__username", "paper__arxiv_id", "status", "saved_at", "read_at")
        ],
        "collections": [
            {
                "user": c.user.get_username(),
                "name": c.name,
                "public": c.public,
                "created_at": t(c.created_at),
                "papers": [
                    {"paper": i.paper.arxiv_id, "note": i.note, "added_at": t(i.added_at)}
                    for i in sorted(c.items.all(), key=lambda i: i.paper.arxiv_id)
                ],
            }
            for c in sorted(collections, key=lambda c: (c.user.get_username(), c.name, t(c.created_at) or ""))
        ],
        **{
            key: [
                {"user": u, "kind": k, "value": v, "created_at": t(at)}
                for u, k, v, at in model.objects.order_by("user__username", "kind", "value").values_list(
                    "user__username", "kind", "value", "created_at"
                )
            ]
            for key, model in (("follows", Follow), ("mutes", Mute))
        },
        "not_interested": [
            {"user": u, "paper": p, "created_at": t(at)}
            for u, p, at in NotInterested.objects.order_by("user__username", "paper__arxiv_id").values_list(
                "user__username", "paper__arxiv_id", "created_at"
            )
        ],
    }


def import_personal(
    data: dict[str, Any],
    users: dict[str, Any],
    when: Callable[[str | None], dt.datetime],
    parse: Callable[[str | None], dt.datetime | None],
    skipped: list[str],
) -> dict[str, int]:
    """Add an export's personal rows (members must be imported already); return counts by kind."""
    named = {r["paper"] for r in data.get("library", []) + data.get("not_interested", [])}
    named |= {i["paper"] for c in data.get("collections", []) for i in c["papers"]}
    papers = dict(Paper.objects.filter(arxiv_id__in=named).values_list("arxiv_id", "pk"))

    def known(kind: str, *names: str) -> bool:
        missing = [n for n in names if n not in papers and n not in users]
        if missing:
            skipped.append(f"{kind} naming {', '.join(missing)}")
        return not missing

    library = [
        LibraryItem(
            user=users[r["user"]],
            paper_id=papers[r["paper"]],
            status=r["status"],
            saved_at=when(r["saved_at"]),
            read_at=parse(r["read_at"]),
        )
        for r in data.get("library", [])
        if known("library item", r["user"], r["paper"])
    ]
    LibraryItem.objects.bulk_create(library)
    made = {"library items": len(library), "collections": 0}
    for r in data.get("collections", []):
        if not known("collection", r["user"]):
            continue
        collection = Collection.objects.create(
            user=users[r["user"]], name=r["name"], public=r["public"], created_at=when(r["created_at"])
        )
        CollectionItem.objects.bulk_create(
            CollectionItem(
                collection=collection,
                paper_id=papers[i["paper"]],
                note=i["note"],
                added_at=when(i["added_at"]),
            )
            for i in r["papers"]
            if known("collection item", i["paper"])
        )
        made["collections"] += 1
    for key, model in (("follows", Follow), ("mutes", Mute)):
        rows: list[Any] = [  # follows or mutes: the same fields
            model(user=users[r["user"]], kind=r["kind"], value=r["value"], created_at=when(r["created_at"]))
            for r in data.get(key, [])
            if known(key[:-1], r["user"])
        ]
        model.objects.bulk_create(rows)
        made[key] = len(rows)
    dismissed = [
        NotInterested(user=users[r["user"]], paper_id=papers[r["paper"]], created_at=when(r["created_at"]))
        for r in data.get("not_interested", [])
        if known("not-interested mark", r["user"], r["paper"])
    ]
    NotInterested.objects.bulk_create(dismissed)
    made["not-interested marks"] = len(dismissed)
    return made
