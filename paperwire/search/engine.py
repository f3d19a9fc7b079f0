"""Hybrid search: reciprocal-rank fusion of the keyword and vector lists, exact matches pinned.

`rank` works on the index files alone (paper pks in, paper pks out); `search` adds what the
database knows — visibility, listing day, votes — and returns the papers of one page.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import tantivy
from django.db.models import FloatField, Value

from paperwire.papers import trending
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.models import Paper

from . import ann, embedding, highlight, keyword, querylang
from .ann import VectorSearcher
from .querylang import ParsedQuery
from .store import readers

logger = logging.getLogger(__name__)

RRF_K = 60  # reciprocal-rank fusion constant: 1 / (60 + rank)
DEPTH = 100  # candidates taken from each list before fusing
MAX_DEPTH = 1000  # deepest page anyone can ask for
FILTER_OVERFETCH = 4  # with filters, ask the ANN for this many times more and drop what fails
FILTER_ENOUGH = 30  # with fewer filtered ANN hits than this (or than depth), search again
EXACT_FILTER_MAX = 10_000  # papers passing a filter that are scored exactly (~1 µs each)
# Hits of one deeper ANN search for a filter met often near the query: ~10 ms at 1M, where
# listing the 100k+ papers of a common author name to walk the graph with took ~35 ms alone.
FILTER_DEEP = 3_200
FILTER_GRAPH_MAX = 200_000  # papers passing a filter that the graph search checks as it walks
MODES = ("hybrid", "keyword", "vector")
SORTS = ("relevance", "newest", "trending")
WEIGHTS = (1.0, 1.0)  # (keyword, vector) weights in the fusion
FUSION = "score"  # "score", "max" (scores over the list's first) or "rrf" (docs/decisions.md)
SHORT_WORDS = 3  # a query of this many words or fewer is "short"
SHORT_WEIGHTS: tuple[float, float] | None = None  # (keyword, vector) weights of short queries
# Weights of a query whose words are nearly all in one title (keyword.looks_like_title): a
# remembered title or a keyword list, where the vector list mostly adds papers on the topic
# (dev, hybrid MRR@10: keyword lists 0.900 → 0.931, typos 0.990 → 1.000).
TITLE_WEIGHTS: tuple[float, float] | None = (1.0, 0.5)
LONG_WORDS = 8  # a query of this many words or more is "long" (a description, a question)
LONG_WEIGHTS: tuple[float, float] | None = None  # (keyword, vector) weights of long queries
NAME_WEIGHTS: tuple[float, float] | None = (1.0, 0.5)  # weights of a query that names an author
# "none": any query word may match (a paper sharing few of a description's words still scores
# by them); "always": keyword.MIN_MATCH of them must; "fallback": the loose query when the
# strict one finds too few. Dev split, hybrid MRR@10: descriptions 0.694 → 0.706, questions
# 0.790 → 0.799, and the keyword list ~40 % cheaper (p95 9.0 → 5.5 ms CPU).
MIN_MATCH_RULE = "none"
FALLBACK_BELOW = 10
PRF_DOCS = 0  # fused results the query vector moves towards (0: no pseudo-relevance feedback)
PRF_WEIGHT = 0.5
# The keyword search runs here while the query is embedded: tantivy lets go of the GIL, so on
# an idle core a long query costs the slower of the two instead of their sum (4 threads: a few
# requests of one process at once; more just wait their turn).
_keyword_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pw-keyword")


@dataclass
class Ranked:
    pk: int
    fused: float = 0.0
    keyword_rank: int | None = None
    keyword_score: float | None = None
    vector_rank: int | None = None
    vector_score: float | None = None
    pinned: bool = False


@dataclass
class Hit:
    paper: Paper
    scores: Ranked
    snippet: str = ""  # the abstract's sentences that best match the query


@dataclass
class SearchPage:
    query: str
    parsed: ParsedQuery
    mode: str
    sort: str
    offset: int
    limit: int
    total: int  # results that can be paged through (at most MAX_DEPTH)
    hits: list[Hit] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)  # analysed words to highlight
    vectors_used: bool = False
    took_ms: float = 0.0

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def _is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


def pinned_pks(searcher: tantivy.Searcher, q: ParsedQuery) -> list[int]:
    """Return the papers the query names exactly: by arXiv id, or by their whole title."""
    try:
        arxiv_id = parse_arxiv_id(q.raw).id
    except InvalidArxivId:
        arxiv_id = ""
    if arxiv_id:
        query = tantivy.Query.term_query(keyword.schema(), "arxiv_id", arxiv_id)
        return keyword.pks_matching(searcher, query, 1)
    if q.has_filters or q.phrases or len(q.raw) < 8:
        return []
    return keyword.exact_title(searcher, q.raw)


def keyword_list(searcher: tantivy.Searcher, q: ParsedQuery, depth: int) -> list[tuple[int, float]]:
    query = keyword.build_query(q, min_match=MIN_MATCH_RULE != "none")
    if query is None:
        return []
    if not q.has_text:  # filters alone: newest first
        return keyword.newest(searcher, query, depth)
    found = keyword.search(searcher, query, depth)
    if MIN_MATCH_RULE == "fallback" and len(found) < FALLBACK_BELOW:
        loose = keyword.build_query(q, min_match=False)
        if loose is not None:
            seen = {pk for pk, _ in found}
            found += [h for h in keyword.search(searcher, loose, depth) if h[0] not in seen][
                : depth - len(found)
            ]
    return found


def _allowed(ks: tantivy.Searcher, q: ParsedQuery, candidates: list[tuple[int, float]]) -> set[int]:
    """Return which of the candidates pass q's filters."""
    fq = keyword.filter_query(q, [pk for pk, _ in candidates])
    return set(keyword.pks_matching(ks, fq, len(candidates)))


def vector_list(
    vs: VectorSearcher, ks: tantivy.Searcher, q: ParsedQuery, vector: np.ndarray, depth: int
) -> list[tuple[int, float]]:
    """Return the nearest papers to vector that pass q's filters.

    Filters are checked on a few times more ANN hits than needed; when too few pass (a filter
    far from the query's neighbourhood), the search depends on how many papers pass at all:
    up to EXACT_FILTER_MAX are scored exactly; more get a much deeper ANN search when enough
    of the first hits passed to expect enough among the deeper ones (always beyond
    FILTER_GRAPH_MAX), and otherwise a graph search with the filter applied while it walks.
    """
    if not (q.has_filters or q.phrases):
        return vs.search(vector, depth)
    candidates = vs.search(vector, depth * FILTER_OVERFETCH)
    allowed = _allowed(ks, q, candidates)
    found = [c for c in candidates if c[0] in allowed][:depth]
    enough = min(depth, FILTER_ENOUGH)
    if len(found) >= enough:
        return found
    fq = keyword.filter_query(q)
    matching = ks.search(fq, limit=1, count=True).count or 0  # type: ignore[attr-defined]  # not in the stubs
    if matching == 0:
        return []
    if matching <= EXACT_FILTER_MAX:
        labels, mat = vs.vectors(keyword.pks_matching(ks, fq, matching))
        return ann.exact(mat, labels, vector, depth)
    deep = max(depth * FILTER_OVERFETCH * 8, FILTER_DEEP)
    # The share of the first hits that passed foretells how many deep hits will pass (better
    # than the filter's share of all papers: few cs.CL papers lie near "3D voxel data").
    expected = len(found) * deep / max(len(candidates), 1)
    if expected >= 2 * enough or matching > FILTER_GRAPH_MAX:
        candidates = vs.search(vector, deep)
        allowed = _allowed(ks, q, candidates)
        found = [c for c in candidates if c[0] in allowed][:depth]
        if len(found) >= enough or matching > FILTER_GRAPH_MAX:
            return found
    if matching <= FILTER_GRAPH_MAX:
        return vs.search_among(vector, depth, keyword.pks_matching(ks, fq, matching))
    return found


def fuse(lists: list[tuple[str, list[tuple[int, float]], float]]) -> dict[int, Ranked]:
    """Return fused scores of (name, [(pk, score)], weight) lists, by FUSION.

    "rrf": reciprocal-rank fusion, weight / (RRF_K + rank); "score": weight × the score scaled
    to 0..1 between the list's last and first (a paper missing from a list gets 0 from it);
    "max": weight × the score over the list's first.
    """
    out: dict[int, Ranked] = {}
    for name, items, weight in lists:
        top = items[0][1] if items else 0.0
        low = items[-1][1] if items else 0.0
        span = (top - low) or 1.0
        for rank, (pk, score) in enumerate(items, start=1):
            r = out.setdefault(pk, Ranked(pk))
            if FUSION == "score":
                r.fused += weight * (score - low) / span
            elif FUSION == "max":
                r.fused += weight * score / (top or 1.0)
            else:
                r.fused += weight / (RRF_K + rank)
            setattr(r, f"{name}_rank", rank)
            setattr(r, f"{name}_score", score)
    return out


def query_weights(ks: tantivy.Searcher, q: ParsedQuery, weights: tuple[float, float]) -> tuple[float, float]:
    """Return q's (keyword, vector) weights: NAME_WEIGHTS if it names an author, else by its length."""
    if NAME_WEIGHTS is not None and keyword.names_person(ks, q):
        return NAME_WEIGHTS
    if TITLE_WEIGHTS is not None and keyword.looks_like_title(ks, q):
        return TITLE_WEIGHTS
    if SHORT_WEIGHTS is not None and q.words and len(q.words) <= SHORT_WORDS:
        return SHORT_WEIGHTS
    if LONG_WEIGHTS is not None and len(q.words) >= LONG_WORDS:
        return LONG_WEIGHTS
    return weights


def _embedded(embed: Callable[[str], np.ndarray], text: str) -> np.ndarray | None:
    """Return the query's vector, or None when the model is not installed (words still search)."""
    try:
        return embed(text)
    except embedding.ModelMissing as e:
        logger.warning("searching by words alone: %s", e)
        return None


def rank(
    q: ParsedQuery,
    *,
    mode: str = "hybrid",
    depth: int = DEPTH,
    pin: bool = True,
    weights: tuple[float, float] | None = None,
    embed: Callable[[str], np.ndarray] = embedding.embed_query,
) -> tuple[list[Ranked], bool]:
    """Return (ranked papers, whether vectors were used) for a parsed query."""
    ks = readers.keyword()
    weights = query_weights(ks, q, weights or WEIGHTS)
    lists: list[tuple[str, list[tuple[int, float]], float]] = []
    pins = pinned_pks(ks, q)
    # An arXiv id that names a paper is a lookup, not a topic: its "meaning" finds noise.
    is_lookup = bool(pins) and _is_arxiv_id(q.raw)
    vs = readers.vectors() if mode in ("hybrid", "vector") and q.text.strip() and not is_lookup else None
    vector: np.ndarray | None = None
    if mode in ("hybrid", "keyword"):
        if vs is not None:  # search the words while the query is embedded
            pending = _keyword_pool.submit(keyword_list, ks, q, depth)
            try:
                vector = _embedded(embed, q.text)
            finally:
                words = pending.result()
            vs = vs if vector is not None else None
        else:
            words = keyword_list(ks, q, depth)
        lists.append(("keyword", words, weights[0]))
    if vs is not None and vector is None:
        vector = _embedded(embed, q.text)
        if vector is None:  # meaning alone cannot run without the model: words instead
            vs = None
            lists.append(("keyword", keyword_list(ks, q, depth), weights[0]))
    if vs is not None and vector is not None:
        lists.append(("vector", vector_list(vs, ks, q, vector, depth), weights[1]))
    used = vs is not None
    fused = fuse(lists)
    ranked = sorted(fused.values(), key=lambda r: (-r.fused, r.pk))
    if PRF_DOCS and vs is not None and vector is not None and len(lists) == 2 and ranked:
        # Pseudo-relevance feedback: move the query vector towards the first fused results.
        _, mat = vs.vectors([r.pk for r in ranked[:PRF_DOCS]])
        moved = vector + PRF_WEIGHT * np.asarray(mat, dtype=np.float32).mean(axis=0)
        moved /= np.linalg.norm(moved) or 1.0
        lists[1] = ("vector", vector_list(vs, ks, q, moved, depth), lists[1][2])
        fused = fuse(lists)
        ranked = sorted(fused.values(), key=lambda r: (-r.fused, r.pk))
    if pin:
        for pk in reversed(pins):
            r = fused.get(pk) or Ranked(pk)
            r.pinned = True
            ranked = [r] + [x for x in ranked if x.pk != pk]
    return ranked, used


def search(
    text: str,
    *,
    mode: str = "hybrid",
    sort: str = "relevance",
    category: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    offset: int = 0,
    limit: int = 20,
    pin: bool = True,
) -> SearchPage:
    """Return one page of results for a search string; any string gives results or none, never an error."""
    started = time.perf_counter()
    q = querylang.parse(text)
    if category:
        q.categories.append(querylang.clean(category)[:32])
    q.date_from = date_from or q.date_from
    q.date_to = date_to or q.date_to
    mode = mode if mode in MODES else "hybrid"
    sort = sort if sort in SORTS else "relevance"
    page = SearchPage(text, q, mode, sort, offset, limit, 0, terms=keyword.highlight_terms(q))
    if not (q.has_text or q.has_filters) or offset >= MAX_DEPTH:
        return page
    depth = min(max(DEPTH, offset + limit), MAX_DEPTH)
    ranked, page.vectors_used = rank(q, mode=mode, depth=depth, pin=pin)
    found = Paper.objects.filter(pk__in=[r.pk for r in ranked], hidden=False)
    # The trending sort is the feed pages' trending: votes decayed by age (papers.trending). The
    # SQL for it costs ~1 ms over 100 candidates, so other sorts leave it out.
    trend = trending.score_expr() if sort == "trending" else Value(0.0, output_field=FloatField())
    rows = found.annotate(score=trend).values_list("pk", "listing_day", "arxiv_id", "score")
    meta = {pk: (day, aid, score) for pk, day, aid, score in rows}
    ranked = [r for r in ranked if r.pk in meta]
    if sort == "newest":
        ranked.sort(key=lambda r: (meta[r.pk][0], meta[r.pk][1]), reverse=True)
    elif sort == "trending":
        ranked.sort(key=lambda r: (meta[r.pk][2], meta[r.pk][0], meta[r.pk][1]), reverse=True)
    page.total = len(ranked)
    chosen = ranked[offset : offset + limit]
    papers = Paper.objects.in_bulk([r.pk for r in chosen])
    page.hits = [Hit(papers[r.pk], r) for r in chosen if r.pk in papers]
    add_snippets(page.hits, page.terms, q.text)
    page.took_ms = (time.perf_counter() - started) * 1000
    return page


def term_weights(terms: set[str]) -> dict[str, float]:
    """Return each term's inverse document frequency in the abstracts (rare words weigh more)."""
    try:
        ks = readers.keyword()
        n = ks.num_docs
        return {t: math.log(1 + n / (1 + ks.doc_freq("abstract", t))) for t in terms}
    except (OSError, RuntimeError, ValueError):
        return dict.fromkeys(terms, 1.0)


def add_snippets(hits: list[Hit], terms: set[str], query: str) -> None:
    """Set each hit's snippet: the sentences holding most of the query's words, else nearest in meaning."""
    weights = term_weights(terms)
    for h in hits:
        h.snippet, matched = highlight.snippet(h.paper.abstract, weights)
        if not matched and query:
            parts = highlight.sentences(h.paper.abstract)
            scores = highlight.meaning_scores(parts, query)
            if scores is not None:
                h.snippet = highlight.pick(parts, scores)


def similar(paper: Paper, limit: int = 6) -> list[Paper]:
    """Return the papers nearest in meaning to paper (by title words when it has no vector yet)."""
    from .models import PaperVector

    try:
        vs = readers.vectors()
        row = PaperVector.objects.filter(paper_id=paper.pk).first()
        if vs is not None and row is not None:
            near = [pk for pk, _ in vs.search(row.array(), limit * 2 + 1) if pk != paper.pk]
        else:
            q = querylang.parse(paper.title)
            near = [pk for pk, _ in keyword_list(readers.keyword(), q, limit * 2 + 1) if pk != paper.pk]
    except (OSError, RuntimeError, ValueError):
        # The list is an extra: an index that cannot be opened right now must not break the page.
        logger.exception("similar papers unavailable for %s", paper.arxiv_id)
        return []
    found = Paper.objects.in_bulk(near)
    return [found[pk] for pk in near if pk in found and not found[pk].hidden][:limit]


def by_author(name: str, limit: int) -> list[int] | None:
    """Return the pks of up to limit papers whose author list holds name as a phrase, newest
    listing day first; None when the keyword index cannot be read (ask the database then)."""
    q = ParsedQuery(raw=name, authors=[name])
    try:
        return [pk for pk, _ in keyword.newest(readers.keyword(), keyword.filter_query(q), limit)]
    except (OSError, RuntimeError, ValueError):
        logger.exception("author lookup unavailable for %r", name)
        return None
