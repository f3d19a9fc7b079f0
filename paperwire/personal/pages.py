"""What the member's pages show, as one dict each: the HTML and the JSON twin both render it."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.http import HttpRequest

from paperwire.papers import queries
from paperwire.papers.models import Paper
from paperwire.papers.serialize import paper_json
from paperwire.search.engine import by_author

from . import model
from .models import Follow, Mute, Taste
from .ranking import ForYou
from .signals import positive_ids

AUTHOR_PAPERS = 50  # newest papers listed on an author's page


def for_you_context(result: ForYou, page: int, size: int, hide_seen: bool) -> dict[str, Any]:
    """Return what /for-you shows."""
    p = result.period
    return {
        "foryou": result,
        "page": page,
        "pages": max((result.total + size - 1) // size, 1),
        "hide_seen": hide_seen,
        "tabs": {kind: p.containing_kind(kind).slug for kind in ("date", "week", "month")},
    }


def for_you_json(ctx: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """Return /for-you as JSON: the ranked papers, each with its score and why."""
    r: ForYou = ctx["foryou"]
    return {
        "period": {
            "kind": r.period.kind,
            "slug": r.period.slug,
            "start": r.period.start.isoformat(),
            "end": r.period.end.isoformat(),
        },
        "page": ctx["page"],
        "pages": ctx["pages"],
        "total": r.total,
        "hidden": r.hidden,
        "seen_hidden": r.seen_hidden,
        "cold_start": r.cold,
        "model": {"positives": r.taste.positives, "negatives": r.taste.negatives, "trained": r.taste.trained},
        "papers": [
            {
                **paper_json(pick.paper, request),
                "score": round(pick.score, 4),
                "why": pick.why,
                "seen": pick.seen,
                "saved": bool(pick.saved),
                "reading_status": pick.saved or None,
                "muted": pick.muted,
            }
            for pick in r.picks
        ],
    }


def learned_summary(user: Any) -> dict[str, Any]:
    """Return what the member's model has learned: its top words and the liked papers it rates highest."""
    taste = model.learned(user)
    words = sorted(((w, s) for w, s in taste.words.items() if s > 0), key=lambda x: -x[1])[:15]
    nearest: list[Paper] = []
    if taste.trained and taste.weights is not None:
        liked = positive_ids(user)[: model.MAX_POSITIVES]
        vecs = model.vectors(liked)
        pks = [pk for pk in liked if pk in vecs]
        if pks:
            scores = np.stack([vecs[pk] for pk in pks]) @ taste.weights
            top = [pks[i] for i in np.argsort(-scores)[:5]]
            found = Paper.objects.in_bulk(top)
            nearest = [found[pk] for pk in top if pk in found]
    return {"taste": taste, "top_words": words, "nearest": nearest}


def interests_context(user: Any) -> dict[str, Any]:
    """Return what /settings/interests shows."""
    row, _ = Taste.objects.get_or_create(user=user)
    return {
        "follows": list(Follow.objects.filter(user=user).order_by("kind", "value")),
        "mutes": list(Mute.objects.filter(user=user).order_by("kind", "value")),
        "learned": learned_summary(user),
        "reset_at": row.reset_at,
        "follow_kinds": Follow._meta.get_field("kind").choices,
        "mute_kinds": Mute._meta.get_field("kind").choices,
    }


def interests_json(ctx: dict[str, Any]) -> dict[str, Any]:
    """Return the member's follows, mutes and learned model as JSON."""
    learned = ctx["learned"]
    return {
        "follows": [{"kind": f.kind, "value": f.value} for f in ctx["follows"]],
        "mutes": [{"kind": m.kind, "value": m.value} for m in ctx["mutes"]],
        "model": {
            "trained": learned["taste"].trained,
            "positives": learned["taste"].positives,
            "negatives": learned["taste"].negatives,
            "top_words": [w for w, _ in learned["top_words"]],
            "nearest": [p.arxiv_id for p in learned["nearest"]],
            "reset_at": ctx["reset_at"].isoformat() if ctx["reset_at"] else None,
        },
    }


def author_context(user: Any, name: str) -> dict[str, Any]:
    """Return an author's newest papers here and whether the member follows them."""
    following = (
        user.is_authenticated and Follow.objects.filter(user=user, kind="author", value__iexact=name).exists()
    )
    return {"name": name, "papers": author_papers(name), "following": following}


def _names(paper: Paper, wanted: str) -> bool:
    return any(a.casefold() == wanted for a in paper.authors)


def author_papers(name: str) -> list[Paper]:
    """Return the newest papers here that list name among their authors (case aside).

    The keyword index's author field gives the candidates, newest first: the database could
    only match the name inside each paper's JSON text, a walk over every paper (2.5 s for a
    common name at 540k papers on PostgreSQL). A paper listed since the node's last index
    update shows after the next one, as in search. When the index is missing, or its
    candidates run out before the page is full of exact matches, the database walk answers.
    """
    wanted = name.casefold()
    depth = 4 * AUTHOR_PAPERS  # the phrase also finds longer names; four times the page leaves room
    pks = by_author(name, depth)
    if pks is not None:
        rows = queries.visible().in_bulk(pks)
        found = [rows[pk] for pk in pks if pk in rows and _names(rows[pk], wanted)]
        found.sort(key=lambda p: (p.listing_day, p.pk), reverse=True)
        if len(found) >= AUTHOR_PAPERS or len(pks) < depth:
            return found[:AUTHOR_PAPERS]
    papers = []
    # The JSON text holds the name; the exact match on the list is checked here.
    for p in queries.visible().filter(authors__icontains=name).order_by("-listing_day", "-pk").iterator():
        if _names(p, wanted):
            papers.append(p)
            if len(papers) >= AUTHOR_PAPERS:
                break
    return papers


def author_json(ctx: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """Return an author's page as JSON."""
    return {
        "name": ctx["name"],
        "following": ctx["following"],
        "papers": [paper_json(p, request) for p in ctx["papers"]],
    }
