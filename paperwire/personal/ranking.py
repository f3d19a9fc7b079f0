"""/for-you: a period's papers ranked for one member, each with the reasons it ranks there."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paperwire.papers import queries, trending
from paperwire.papers.models import Paper
from paperwire.papers.periods import Period

from . import hiding, model
from .interests import Interests
from .model import LearnedTaste
from .signals import marks

FOLLOWED_AUTHOR = 2.0  # score added for a followed author: above what the model tells apart
FOLLOWED_CATEGORY = 0.5  # a followed category is broad: a nudge, not a pin
FOLLOWED_QUERY = 1.0
NEAR = 0.55  # cosine above which a liked paper is "close" (MiniLM: same topic ≈ 0.5–0.8)
NEAR_SHOWN = 3  # titles named in the "close to" line


@dataclass
class Pick:
    paper: Any  # a Paper once on the page; a Candidate while ranking
    score: float
    why: list[str] = field(default_factory=list)
    seen: bool = False
    saved: str = ""  # reading status when in the library
    muted: bool = False  # hidden by the member's rules, shown because they asked to see it


@dataclass
class ForYou:
    period: Period
    picks: list[Pick]
    total: int  # papers ranked (after hiding)
    offset: int
    limit: int
    hidden: int  # hidden by mute rules or "not interested"
    seen_hidden: int  # seen papers left out because the member hides them
    cold: bool  # no model yet: follows first, then trending
    taste: LearnedTaste
    took_ms: float = 0.0
    marks: Any = None  # the member's marks of the page's papers, for drawing their buttons

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.picks) < self.total


@dataclass
class Candidate:
    """What ranking and mute rules read of a paper; the full rows are loaded for the shown page only."""

    pk: int
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    upvotes: int
    hf_upvotes: int
    listing_day: dt.date


def candidates(period: Period, *, abstracts: bool = True, labels: bool = True) -> list[Candidate]:
    """Return the visible papers of a period in trending order (the cold-start order).

    Abstracts (read by word mute rules and followed queries) and authors and categories (read
    by follows and mute rules) are left empty when nothing will read them: a day at 2.5M papers
    has 5,000, and decoding their JSON lists alone took 90 ms.
    """
    qs = queries.visible().filter(listing_day__range=(period.start, period.end))
    wanted = ["pk", "title", "upvotes", "hf_upvotes", "listing_day"]
    wanted += ["abstract"] if abstracts else []
    wanted += ["authors", "categories"] if labels else []
    out = []
    for row in trending.ordered(qs, "trending").values(*wanted):
        out.append(
            Candidate(
                row["pk"],
                row["title"],
                row.get("abstract", ""),
                row.get("authors", []),
                row.get("categories", []),
                row["upvotes"],
                row["hf_upvotes"],
                row["listing_day"],
            )
        )
    return out


def _boost(paper: Any, interests: Interests) -> float:
    if not interests:
        return 0.0
    score = FOLLOWED_AUTHOR if interests.followed_authors(paper) else 0.0
    score += FOLLOWED_CATEGORY if interests.followed_categories(paper) else 0.0
    score += FOLLOWED_QUERY if interests.matched_queries(paper) else 0.0
    return score


def score_papers(
    papers: list[Any], taste: LearnedTaste, interests: Interests
) -> tuple[list[float], dict[int, np.ndarray]]:
    """Return each paper's score (vector model + word model + follows + a trending tiebreak) and vectors."""
    n = len(papers)
    vecs: dict[int, np.ndarray] = {}
    # Trending order breaks ties and is the whole order while there is no model.
    scores = np.array([-i * 1e-6 for i in range(n)], dtype=np.float64)
    if taste.trained and n:
        vecs = model.vectors(p.pk for p in papers)
        dim = len(taste.weights) if taste.weights is not None else 0
        matrix = np.stack([vecs.get(p.pk, np.zeros(dim, dtype=np.float32)) for p in papers])
        scores += taste.score_vectors(matrix)
        if taste.words:
            words = [model.title_tokens(p.title) for p in papers]
            scores += model.WORD_WEIGHT * np.array([taste.score_words(w) for w in words])
    scores += np.array([_boost(p, interests) for p in papers])
    return scores.tolist(), vecs


def explain(
    picks: list[Pick],
    user: Any,
    taste: LearnedTaste,
    interests: Interests,
    cold: bool,
    pick_vecs: dict[int, np.ndarray],
) -> None:
    """Fill in each pick's reasons, in words, from what made its score."""
    liked_pks, liked_matrix = model.liked_matrix(user, taste) if taste.trained else ([], None)
    close_by: dict[int, list[int]] = {}
    for pick in picks:
        if liked_matrix is not None and pick.paper.pk in pick_vecs:
            sims = liked_matrix @ pick_vecs[pick.paper.pk]
            near = np.nonzero(sims >= NEAR)[0]
            near = near[np.argsort(-sims[near])]
            close_by[pick.paper.pk] = [liked_pks[i] for i in near if liked_pks[i] != pick.paper.pk]
    named = {pk for near in close_by.values() for pk in near[:NEAR_SHOWN]}
    titles = dict(Paper.objects.filter(pk__in=named).values_list("pk", "title")) if named else {}
    for pick in picks:
        p = pick.paper
        why = []
        for name in interests.followed_authors(p):
            why.append(f"by {name}, whom you follow")
        for code in interests.followed_categories(p):
            why.append(f"in {code}, which you follow")
        for q in interests.matched_queries(p):
            why.append(f"matches “{q}”, which you follow")
        close = close_by.get(p.pk, [])
        if close:
            shown = "; ".join(titles[pk] for pk in close[:NEAR_SHOWN] if pk in titles)
            more = "…" if len(close) > NEAR_SHOWN else ""
            s = "s" if len(close) > 1 else ""
            why.append(f"close to {len(close)} paper{s} you saved or upvoted: {shown}{more}")
        words = taste.top_words(model.title_tokens(p.title)) if taste.trained else []
        if words:
            why.append(f"words that weigh most for you: {', '.join(words)}")
        if cold and not why:
            total = p.upvotes + p.hf_upvotes
            why.append(f"trending in this period ({total} upvote{'s' if total != 1 else ''})")
        elif not why:
            why.append("ranked by your model: nothing in it stands out for this paper")
        pick.why = why


def for_you(
    user: Any,
    period: Period,
    *,
    reveal: bool = False,
    hide_seen: bool = False,
    offset: int = 0,
    limit: int = 30,
) -> ForYou:
    """Return one page of the period's papers ranked for the member, with reasons."""
    started = time.perf_counter()
    interests = Interests(user)
    rules = hiding.MuteRules(user)
    papers = candidates(
        period,
        abstracts=bool(interests.queries) or rules.reads_abstracts,
        labels=bool(interests) or rules.reads_labels,
    )
    split = hiding.split(user, papers, reveal=reveal, rules=rules)
    papers = split.shown
    taste = model.learned(user)
    cold = not taste.trained
    scores, vecs = score_papers(papers, taste, interests)
    order = sorted(range(len(papers)), key=lambda i: -scores[i])
    picks: list[Pick] = [Pick(papers[i], scores[i], muted=papers[i].pk in split.revealed) for i in order]
    # Seen marks are needed for every paper only when seen ones are left out; else for the page.
    m = marks(user, [p.paper.pk for p in (picks if hide_seen else picks[offset : offset + limit])])
    for pick in picks:
        pick.seen = pick.paper.pk in m.seen
        pick.saved = m.saved.get(pick.paper.pk, "")
    seen_hidden = 0
    if hide_seen:
        kept = [p for p in picks if not p.seen]
        seen_hidden = len(picks) - len(kept)
        picks = kept
    page = picks[offset : offset + limit]
    full = Paper.objects.in_bulk([p.paper.pk for p in page])
    page = [p for p in page if p.paper.pk in full]
    for pick in page:
        pick.paper = full[pick.paper.pk]
    explain(page, user, taste, interests, cold, vecs)
    return ForYou(
        period,
        page,
        len(picks),
        offset,
        limit,
        split.hidden,
        seen_hidden,
        cold,
        taste,
        (time.perf_counter() - started) * 1000,
        m,
    )
