"""The keyword index: tantivy (BM25, block-max WAND) over title, authors and abstract.

Queries are built as tantivy Query objects from ParsedQuery, word by word, after running the
words through the same analyzer as the index; the user's string never reaches a query parser.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tantivy

from .querylang import ParsedQuery

SCHEMA_VERSION = 1
TEXT_ANALYZER = "pw_en"  # words, lowercased, ASCII-folded, English-stemmed
NAME_ANALYZER = "pw_name"  # words, lowercased, ASCII-folded, not stemmed
# Field weights. Equal: titles already score high through BM25's length normalisation, and
# boosting them (3, 2, 1 before) let one rare title or name word outrank a paper whose abstract
# holds most of a description (bench/search_quality.py, dev split: keyword MRR@10 on
# descriptions 0.34 at 3/2/1, 0.36 at 2/2/1, 0.43 at 1/1/1).
BOOSTS = {"title": 1.0, "authors": 1.0, "abstract": 1.0}
TIE_BREAKER = 0.3  # a word found in several fields counts a little more than in its best one
TITLE_PHRASE_BOOST = 2.0  # the whole query found near-verbatim in a title
# A query of 3+ words that are all in a title (all but one from 4 words on), in any order, is
# a title typed from memory: that title scores this much more (bench/search_quality.py, dev:
# keyword MRR@10 on keyword lists 0.85 → 0.89; descriptions unchanged).
TITLE_WORDS_BOOST = 2.0
TITLE_LIKE_MAX = 12  # words a query may have to be taken for a title typed from memory
# With min_match, a query of MIN_MATCH_FROM words or more finds only papers that have at least
# MIN_MATCH of them (like Elasticsearch's minimum_should_match). The engine no longer asks for
# it (engine.MIN_MATCH_RULE): once the field boosts were equal it cost more than it saved.
MIN_MATCH = 0.5
MIN_MATCH_FROM = 3
WRITER_HEAP = 128_000_000  # bytes tantivy may buffer before it writes a segment
NON_WORD = re.compile(r"\W+")


def analyzer(stem: bool) -> tantivy.TextAnalyzer:
    """Return the analyzer for text (stem=True) or names."""
    b = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
    b = b.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
    if stem:
        b = b.filter(tantivy.Filter.stemmer("english"))
    return b.build()


@cache
def text_analyzer() -> tantivy.TextAnalyzer:
    return analyzer(True)


@cache
def name_analyzer() -> tantivy.TextAnalyzer:
    return analyzer(False)


# Dropped from a keyword query that has other words: they match nearly every abstract.
STOPWORDS = (
    "a an and are as at be but by can for from if in into is it its no not of on or our such that the their "
    "then there these they this to using via was we which will with"
)


@cache
def stopwords() -> frozenset[str]:
    """Return the stop words as the text analyzer writes them."""
    return frozenset(text_analyzer().analyze(STOPWORDS))


def title_key(title: str) -> str:
    """Return a title folded for exact-title matching: lowercase words joined by single spaces."""
    return " ".join(NON_WORD.sub(" ", title.lower()).replace("_", " ").split())


@cache
def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("pk", stored=True, indexed=True, fast=True)
    b.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    b.add_text_field("abstract", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("cat", tokenizer_name="raw")  # cs.CV and its archive cs
    b.add_text_field("title_key", tokenizer_name="raw")
    b.add_text_field("arxiv_id", tokenizer_name="raw")
    b.add_integer_field("day", indexed=True, fast=True)  # listing day as YYYYMMDD
    return b.build()


def open_index(path: Path, *, create: bool = False) -> tantivy.Index:
    """Open (or create) the index in path with paperwire's analyzers registered."""
    path.mkdir(parents=True, exist_ok=True)
    if not create and not tantivy.Index.exists(str(path)):
        raise FileNotFoundError(f"no keyword index in {path}")
    index = tantivy.Index(schema(), path=str(path), reuse=not create)
    index.register_tokenizer(TEXT_ANALYZER, analyzer(True))
    index.register_tokenizer(NAME_ANALYZER, analyzer(False))
    return index


def day_number(day: dt.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else 0


@dataclass
class DocFields:
    pk: int
    arxiv_id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    day: dt.date | None


def document(d: DocFields) -> tantivy.Document:
    """Return the tantivy document of one paper."""
    doc = tantivy.Document()
    doc.add_integer("pk", d.pk)
    doc.add_text("arxiv_id", d.arxiv_id)
    doc.add_text("title", d.title)
    for name in d.authors:
        doc.add_text("authors", name)
    doc.add_text("abstract", d.abstract)
    cats = {c for c in d.categories} | {c.split(".")[0] for c in d.categories}
    for c in sorted(cats):
        doc.add_text("cat", c)
    doc.add_text("title_key", title_key(d.title))
    doc.add_integer("day", day_number(d.day))
    return doc


def write_docs(writer: tantivy.IndexWriter, docs: Iterable[DocFields], *, replace: bool) -> int:
    """Add docs (deleting an older copy of each first when replace); return how many."""
    n = 0
    for d in docs:
        if replace:
            writer.delete_documents_by_term("pk", d.pk)
        writer.add_document(document(d))
        n += 1
    return n


# Query building ---------------------------------------------------------------------------------


def _terms(text: str, *, stem: bool = True) -> list[str]:
    return (text_analyzer() if stem else name_analyzer()).analyze(text)


def _word_query(sch: tantivy.Schema, term: str, name_term: str) -> tantivy.Query:
    """Return the query for one word in any field, weighted by field."""
    parts = [
        tantivy.Query.boost_query(tantivy.Query.term_query(sch, "title", term), BOOSTS["title"]),
        tantivy.Query.boost_query(tantivy.Query.term_query(sch, "authors", name_term), BOOSTS["authors"]),
        tantivy.Query.boost_query(tantivy.Query.term_query(sch, "abstract", term), BOOSTS["abstract"]),
    ]
    return tantivy.Query.disjunction_max_query(parts, tie_breaker=TIE_BREAKER)


def _phrase_query(
    sch: tantivy.Schema, text: str, fields: tuple[str, ...], slop: int = 0
) -> tantivy.Query | None:
    """Return a query for the words of text in order in any of fields, or None without words."""
    parts = []
    for f in fields:
        words = _terms(text, stem=f != "authors")
        if not words:
            return None
        if len(words) == 1:
            parts.append(tantivy.Query.term_query(sch, f, words[0]))
        else:
            parts.append(tantivy.Query.phrase_query(sch, f, list[str | tuple[int, str]](words), slop=slop))
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])


def filter_clauses(sch: tantivy.Schema, q: ParsedQuery) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Return the must / must-not clauses of q's filters (authors, categories, dates, phrases, exclusions)."""
    must, clauses = tantivy.Occur.Must, []
    for name in q.authors:
        pq = _phrase_query(sch, name, ("authors",))
        clauses.append((must, pq if pq is not None else tantivy.Query.empty_query()))
    if q.categories:
        cats = [tantivy.Query.term_query(sch, "cat", c) for c in q.categories]
        clauses.append((must, tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in cats])))
    if q.date_from or q.date_to:
        clauses.append(
            (
                must,
                tantivy.Query.range_query(
                    sch,
                    "day",
                    tantivy.FieldType.Integer,
                    day_number(q.date_from) if q.date_from else None,
                    day_number(q.date_to) if q.date_to else None,
                ),
            )
        )
    for phrase in q.phrases:  # a quoted phrase must be there, in either list of a hybrid search
        pq = _phrase_query(sch, phrase, ("title", "abstract", "authors"))
        if pq is not None:
            clauses.append((must, pq))
    for text in q.excluded:
        eq = _phrase_query(sch, text, ("title", "abstract", "authors"))
        if eq is not None:
            clauses.append((tantivy.Occur.MustNot, eq))
    return clauses


def content_terms(q: ParsedQuery) -> list[str]:
    """Return q's analysed words, stop words left out unless there is nothing else."""
    words: list[str] = []
    for w in q.words:
        words.extend(_terms(w))
    return [w for w in dict.fromkeys(words) if w not in stopwords()] or list(dict.fromkeys(words))


def _title_words(content: list[str]) -> tantivy.Query:
    """Return a query for titles holding all of content's words (all but one from 4 words on)."""
    title_words = [
        (tantivy.Occur.Should, tantivy.Query.term_query(schema(), "title", t)) for t in content[:64]
    ]
    return tantivy.Query.boolean_query(title_words, len(title_words) - (1 if len(title_words) >= 4 else 0))


def looks_like_title(searcher: tantivy.Searcher, q: ParsedQuery) -> bool:
    """Return whether q's words (3 to TITLE_LIKE_MAX of them) are nearly all in one paper's title."""
    content = content_terms(q)
    if not 3 <= len(content) <= TITLE_LIKE_MAX:
        return False
    return bool(searcher.search(_title_words(content), limit=1, count=False).hits)


def build_query(q: ParsedQuery, *, min_match: bool = True) -> tantivy.Query | None:
    """Return the tantivy query for q, or None when it has nothing to search for.

    With min_match, a query of MIN_MATCH_FROM words or more needs MIN_MATCH of them in a paper.
    """
    sch = schema()
    clauses = filter_clauses(sch, q)
    text_parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
    content = content_terms(q)
    name_terms = set(_terms(" ".join(q.words), stem=False))
    word_parts = []
    for term in content[:64]:
        # The author field is not stemmed: match the unstemmed spelling of the same word.
        name = term if term in name_terms else next((n for n in name_terms if n.startswith(term)), term)
        word_parts.append((tantivy.Occur.Should, _word_query(sch, term, name)))
    if word_parts:
        need = 1
        if min_match and len(word_parts) >= MIN_MATCH_FROM:
            need = max(1, math.ceil(MIN_MATCH * len(word_parts)))
        text_parts.append((tantivy.Occur.Should, tantivy.Query.boolean_query(word_parts, need)))
    if TITLE_WORDS_BOOST and len(content) >= 3:
        text_parts.append(
            (tantivy.Occur.Should, tantivy.Query.boost_query(_title_words(content), TITLE_WORDS_BOOST))
        )
    if len(content) > 1:
        pq = _phrase_query(sch, " ".join(q.words), ("title",), slop=2)
        if pq is not None:
            text_parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(pq, TITLE_PHRASE_BOOST)))
    if text_parts:
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(text_parts)))
    if not clauses:
        return None
    if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def filter_query(q: ParsedQuery, pks: list[int] | None = None) -> tantivy.Query:
    """Return a query for the papers that pass q's filters (among pks, when given)."""
    sch = schema()
    clauses = filter_clauses(sch, q)
    if pks is not None:
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(sch, "pk", pks)))
    if not any(occur == tantivy.Occur.Must for occur, _ in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def search(searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
    """Return [(paper pk, BM25 score)] best first."""
    if limit <= 0:
        return []
    hits = searcher.search(query, limit=limit, count=False).hits
    pks = searcher.fast_field_values("pk", [addr for _, addr in hits])
    return [(int(pk), float(score)) for (score, _), pk in zip(hits, pks, strict=True) if pk is not None]


def newest(searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
    """Return [(paper pk, 0.0)] newest listing day first: for queries made only of filters."""
    hits = searcher.search(query, limit=limit, count=False, order_by_field="day").hits
    pks = searcher.fast_field_values("pk", [addr for _, addr in hits])
    return [(int(pk), 0.0) for pk in pks if pk is not None]


def pks_matching(searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[int]:
    """Return the pks of up to limit papers matching query, in no particular order."""
    hits = searcher.search(query, limit=limit, count=False).hits
    return [int(pk) for pk in searcher.fast_field_values("pk", [a for _, a in hits]) if pk is not None]


def exact_title(searcher: tantivy.Searcher, text: str) -> list[int]:
    """Return the pks of papers whose title is exactly text (case and punctuation aside)."""
    key = title_key(text)
    if not key:
        return []
    return pks_matching(searcher, tantivy.Query.term_query(schema(), "title_key", key), 5)


def names_person(searcher: tantivy.Searcher, q: ParsedQuery) -> bool:
    """Return whether q names an author: a filter, or a word found more often in names than abstracts."""
    if q.authors:
        return True
    for word in dict.fromkeys(_terms(" ".join(q.words), stem=False)):
        in_names = searcher.doc_freq("authors", word)
        if in_names and in_names > searcher.doc_freq("abstract", (_terms(word) or [word])[0]):
            return True
    return False


def highlight_terms(q: ParsedQuery) -> set[str]:
    """Return the analysed (stemmed) terms a result page marks."""
    out = set()
    for w in [*q.words, *q.phrases]:
        out.update(_terms(w))
    return {t for t in out if t not in stopwords() or len(out) == 1}
