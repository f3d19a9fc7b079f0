"""Mark the searched words in already-rendered, already-escaped HTML.

Only text between tags is touched, never a tag, an attribute, an entity or MathML, and the
only markup added is <mark>…</mark> around whole words, so the result is as safe as the input.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cache, lru_cache
from typing import Any

import numpy as np
from django.utils.safestring import SafeString, mark_safe

from . import embedding, keyword

logger = logging.getLogger(__name__)

TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
SKIP = {"math", "script", "style", "label", "textarea", "time"}  # never marked inside these


@lru_cache(maxsize=256)
def _candidates(terms: frozenset[str], ascii_text: bool = False) -> re.Pattern[str]:
    """Return a pattern for entities and the words that may analyse to one of terms.

    A stem keeps its word's first two letters, so only words starting like a term (or holding
    a non-ASCII letter, which folding may change) go through the analyzer: a page of cards
    analysed every word, ~100k calls per 50 pages, a third of the page's own time. For text
    known to be ASCII the non-ASCII branch is left out: tried at every word, it was half the
    time of finding a page's snippets.
    """
    starts = sorted({re.escape(t[:2]) for t in terms if t})
    other = "" if ascii_text else r"|\w*[^\x00-\x7f]\w*"
    return re.compile(rf"(&#?\w+;)|\b((?:{'|'.join(starts)})\w*{other})", re.IGNORECASE)


def highlight_html(html: SafeString, terms: set[str]) -> SafeString:
    """Return html with every word whose analysed form is in terms wrapped in <mark>."""
    if not terms:
        return html
    candidates, ascii_candidates = _candidates(frozenset(terms)), _candidates(frozenset(terms), True)

    def mark(m: re.Match[str]) -> str:
        word = m.group(2)
        if word is None:
            return m.group(0)  # an entity such as &amp; stays whole
        return f"<mark>{word}</mark>" if _analysed(word) in terms else word

    out: list[str] = []
    skipping: list[str] = []
    for part in TAG.split(str(html)):
        if part.startswith("<"):
            name = TAG_NAME.match(part)
            tag = name.group(1).lower() if name else ""
            if tag in SKIP and not part.endswith("/>"):
                if part.startswith("</"):
                    if skipping and skipping[-1] == tag:
                        skipping.pop()
                else:
                    skipping.append(tag)
            out.append(part)
            continue
        if skipping or part.isspace() or not part:  # most text between a card's tags is indentation
            out.append(part)
            continue

        out.append((ascii_candidates if part.isascii() else candidates).sub(mark, part))
    return mark_safe("".join(out))  # noqa: S308  # input was safe HTML; only <mark> tags were added


# Snippets ---------------------------------------------------------------------------------------

SNIPPET_SENTENCES = 2  # sentences a result card shows
# A sentence ends at . ! or ? followed by a space and what starts a sentence; "e.g. the" or
# "Fig. 3" rarely split since a lowercase word or a number follows.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[\"'$\\])")
ELLIPSIS = "…"


def sentences(text: str) -> list[str]:
    """Return text's sentences, whitespace folded, never splitting inside $…$ math."""
    out: list[str] = []
    buf = ""
    for part in SENTENCE_END.split(" ".join(text.split())):
        buf = f"{buf} {part}" if buf else part
        if (buf.count("$") - buf.count("\\$")) % 2 == 0:
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return out


@lru_cache(maxsize=65536)
def _analysed(word: str) -> str:
    """Return a word's first analysed token (memoised: a page analyses the same words often)."""
    tokens = keyword.text_analyzer().analyze(word)
    return tokens[0] if tokens else ""


def terms_in(text: str, terms: frozenset[str]) -> set[str]:
    """Return which of terms the words of text analyse to."""
    found = (_analysed(m.group(2)) for m in _candidates(terms, text.isascii()).finditer(text) if m.group(2))
    return {t for t in found if t in terms}


def pick_by_words(
    parts: list[str], found: list[set[str]], weights: dict[str, float], n: int = SNIPPET_SENTENCES
) -> str:
    """Return the n sentences that together hold the most weight of searched words, in order.

    found[i] holds the terms of sentence i. Greedy: each next sentence is the one adding the
    most weight of words not yet shown, so two sentences cover two sides of the query rather
    than repeat its most common word.
    """
    chosen: list[int] = []
    shown: set[str] = set()
    for _ in range(min(n, len(parts))):
        gains = [sum(weights[t] for t in f - shown) if i not in chosen else -1.0 for i, f in enumerate(found)]
        best = max(range(len(parts)), key=lambda i: (gains[i], -i))
        if gains[best] <= 0:
            break
        chosen.append(best)
        shown |= found[best]
    scores = [float(n - chosen.index(i)) if i in chosen else 0.0 for i in range(len(parts))]
    return pick(parts, scores, n) if len(chosen) == n else pick(parts, scores, len(chosen))


def pick(parts: list[str], scores: list[float], n: int = SNIPPET_SENTENCES) -> str:
    """Return the n best-scored sentences in their order, … marking what was left out."""
    best = sorted(sorted(range(len(parts)), key=lambda i: (-scores[i], i))[:n])
    out = []
    for k, i in enumerate(best):
        if (k == 0 and i > 0) or (k > 0 and i != best[k - 1] + 1):
            out.append(ELLIPSIS)
        out.append(parts[i])
    if best and best[-1] < len(parts) - 1:
        out.append(ELLIPSIS)
    return " ".join(out)


def snippet(abstract: str, weights: dict[str, float]) -> tuple[str, bool]:
    """Return (the abstract's sentences that best match the weighted words, whether any matched)."""
    parts = sentences(abstract)
    if len(parts) <= SNIPPET_SENTENCES:
        return " ".join(parts), True
    terms = frozenset(weights)
    found = [terms_in(p, terms) for p in parts] if terms else [set() for _ in parts]
    if not any(found):
        return pick(parts, [0.0] * len(parts)), False
    return pick_by_words(parts, found, weights), True


@cache
def _word_pieces() -> tuple[Any, np.ndarray] | None:
    """Return (tokenizer, unit token vectors) of the embedding model's input layer, or None.

    These static vectors (30k × 384, float16: 23 MB a process) place a sentence near the query
    by meaning at ~0.05 ms a sentence; running the model over a page's sentences took ~6 query
    embeddings' time, more than the whole search budget.
    """
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = embedding.model_dir()
        mat = load_file(os.path.join(path, "model.safetensors"))["embeddings.word_embeddings.weight"]
        tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    except (ImportError, OSError, KeyError, ValueError):
        logger.warning("no word-piece vectors: snippets fall back to the first sentences")
        return None
    tokenizer.no_padding()  # the model's tokenizer.json pads every text to 128 pieces
    tokenizer.no_truncation()
    mat = mat.astype(np.float32)
    mat -= mat.mean(axis=0)  # the direction every piece shares says nothing about topic
    mat /= np.linalg.norm(mat, axis=1, keepdims=True) + 1e-9
    return tokenizer, mat.astype(np.float16)


def meaning_scores(parts: list[str], query: str) -> list[float] | None:
    """Return each sentence's cosine to query by mean word-piece vectors, or None without them."""
    loaded = _word_pieces()
    if loaded is None or not parts:
        return None
    tokenizer, mat = loaded
    encs = tokenizer.encode_batch([query, *parts], add_special_tokens=False)
    vecs = np.stack(
        [mat[e.ids].astype(np.float32).mean(axis=0) if e.ids else np.zeros(mat.shape[1]) for e in encs]
    )
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
    return [float(x) for x in vecs[1:] @ vecs[0]]
