"""A member's learned taste: a linear model over sentence vectors and one over title words, per member.

Positives are the papers the member saved or upvoted; negatives the ones they marked "not
interested", plus a fixed random draw of other papers standing for "everything else" (as
arxiv-sanity-lite trains each tag's SVM against all other papers). The weights are kept in
the member's Taste row under the key of the signals they came from, and trained again only
when that key changes.
"""

from __future__ import annotations

import math
import random
import re
import time
import zlib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min
from django.utils import timezone

from paperwire.community.models import Vote
from paperwire.papers.models import Paper
from paperwire.search.models import PaperVector
from paperwire.search.store import readers

from . import logistic
from .models import Taste
from .signals import negative_ids, positive_ids

MAX_POSITIVES = 500  # the newest positives a model learns from; older tastes fade out
BACKGROUND = 300  # random other papers standing for "not chosen" (weight below an explicit "no")
BACKGROUND_WEIGHT = 0.3  # an unseen paper is a weak negative, "not interested" a full one
C = 1.0  # inverse regularisation of both models (scikit-learn's default, as in logistic.py)
WORD_WEIGHT = 0.5  # how much the word model adds to the vector model's score
TOP_WORDS = 400  # word weights kept per member: enough to score, small enough for one row
TOKEN = re.compile(r"(?u)\b[^\W\d_][\w-]+\b")


# English function words, and the words every paper's title or abstract uses: they tell no taste.
STOP = frozenset(
    """
    about above across after again against all almost along also although among and another any
    are around because been before being below between both but can cannot could did does doing
    down during each either else enough even ever every few for from further had has have having
    her here hers him his how however into its itself just least less many may more most much must
    near neither nor not now off often once one only onto other others our ours out over own per
    rather same several she should since some such than that the their theirs them themselves then
    there these they this those though through thus too toward towards under until upon very via
    was were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours
    paper propose proposed method methods results using based new via towards approach
    """.split()
)


def tokens(text: str) -> set[str]:
    """Return the distinct words of a text the word model knows about (lower case, no stop words)."""
    return {w for w in TOKEN.findall(text.lower()) if w not in STOP and len(w) > 2}


@lru_cache(maxsize=16384)
def title_tokens(title: str) -> frozenset[str]:
    """Return tokens(title), kept per process: /for-you scores every title of the day each view."""
    return frozenset(tokens(title))


def vectors(pks: Iterable[int]) -> dict[int, np.ndarray]:
    """Return the sentence vectors of these papers (those that have one), as float32.

    They are read from the search's memory-mapped vector files where those hold them: reading
    a day's ~1,200 vectors from PaperVector rows cost most of /for-you's ranking time. Papers
    newer than the last index run are read from the database.
    """
    wanted = list(pks)
    found: dict[int, np.ndarray] = {}
    searcher = readers.built_vectors()
    if searcher is not None and wanted:
        labels, matrix = searcher.vectors(wanted)
        found = dict(zip(labels.tolist(), matrix, strict=True))
    missing = [pk for pk in wanted if pk not in found] if found else wanted
    return {**found, **stored_vectors(missing)} if missing else found


def stored_vectors(pks: Iterable[int]) -> dict[int, np.ndarray]:
    """Return the vectors of these papers from the database (those that have one), as float32."""
    rows = list(PaperVector.objects.filter(paper_id__in=list(pks)).values_list("paper_id", "data", "dtype"))
    if not rows:
        return {}
    dtypes = {dtype for _, _, dtype in rows}
    if len(dtypes) == 1:  # one decode for the lot: 500 small frombuffer calls cost ~10 ms
        flat = np.frombuffer(
            b"".join(bytes(d) for _, d, _ in rows), dtype=np.dtype(dtypes.pop()).newbyteorder("<")
        )
        matrix = flat.reshape(len(rows), -1).astype(np.float32)
        return {pk: matrix[i] for i, (pk, _, _) in enumerate(rows)}
    return {
        pk: np.frombuffer(bytes(data), dtype=np.dtype(dtype).newbyteorder("<")).astype(np.float32)
        for pk, data, dtype in rows
    }


def signal_key(user: Any, taste: Taste) -> str:
    """Return the key of the member's current signals: their own version and their upvotes."""
    votes = Vote.objects.filter(user=user).aggregate(n=Count("id"), last=Max("id"))
    return f"{taste.version}:{votes['n']}:{votes['last'] or 0}"


@dataclass
class LearnedTaste:
    """A member's trained models, as scoring and explaining need them."""

    weights: np.ndarray | None  # vector model (None: nothing to learn from yet)
    bias: float = 0.0
    words: dict[str, float] = field(default_factory=dict)
    positives: int = 0
    negatives: int = 0
    trained_ms: float = 0.0
    retrained: bool = False
    key: str = ""  # the signal key the model was trained under

    @property
    def trained(self) -> bool:
        return self.weights is not None

    def score_vectors(self, matrix: np.ndarray) -> np.ndarray:
        if self.weights is None or not len(matrix):
            return np.zeros(len(matrix), dtype=np.float32)
        return matrix @ self.weights + self.bias

    def score_words(self, words: AbstractSet[str]) -> float:
        """Return the word model's score of a text's words (binary, length-normalised as in training)."""
        if not self.words or not words:
            return 0.0
        return sum(self.words.get(w, 0.0) for w in words) / math.sqrt(len(words))

    def top_words(self, words: AbstractSet[str], n: int = 3) -> list[str]:
        """Return the words of a text that weigh most for the member (positive weights only)."""
        weighed = sorted(((self.words[w], w) for w in words if self.words.get(w, 0.0) > 0), reverse=True)
        return [w for _, w in weighed[:n]]


def background_seed(user: Any) -> int:
    """Return the member's background draw seed: from their name, so every database draws alike."""
    return zlib.crc32(user.get_username().encode())


def _background(exclude: set[int], seed: int) -> list[int]:
    """Return a fixed random draw of other papers that have vectors (same draw for the same member)."""
    span = PaperVector.objects.aggregate(lo=Min("paper_id"), hi=Max("paper_id"))
    if span["hi"] is None:
        return []
    rng = random.Random(seed)
    # Draw twice as many keys as needed and keep those that exist: enough where keys are dense.
    guesses = {rng.randint(span["lo"], span["hi"]) for _ in range(BACKGROUND * 2)} - exclude
    found = sorted(PaperVector.objects.filter(paper_id__in=guesses).values_list("paper_id", flat=True))
    if len(found) < BACKGROUND:  # sparse keys (deleted rows, PostgreSQL sequences): a run from a pivot
        pivot = rng.randint(span["lo"], span["hi"])
        rows = PaperVector.objects.exclude(paper_id__in=exclude).exclude(paper_id__in=found)
        found += list(
            rows.filter(paper_id__gte=pivot)
            .order_by("paper_id")
            .values_list("paper_id", flat=True)[:BACKGROUND]
        )
        found += list(
            rows.filter(paper_id__lt=pivot)
            .order_by("-paper_id")
            .values_list("paper_id", flat=True)[:BACKGROUND]
        )
    rng.shuffle(found)
    return found[:BACKGROUND]


def _texts(pks: Sequence[int]) -> dict[int, set[str]]:
    # Titles only: the words a reader sees first, and ten times less text to read per request.
    rows = Paper.objects.filter(pk__in=list(pks)).values_list("pk", "title")
    return {pk: tokens(title) for pk, title in rows}


def train(positives: Sequence[int], negatives: Sequence[int], seed: int) -> LearnedTaste:
    """Fit the member's vector and word models from their positive and negative papers."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread: a model this small gains nothing from more, and on a busy machine
    # threads fighting for the cores made training ten times slower.
    with threadpool_limits(1):
        return _train(positives, negatives, seed)


def _train(positives: Sequence[int], negatives: Sequence[int], seed: int) -> LearnedTaste:
    started = time.perf_counter()
    positives = list(positives)[:MAX_POSITIVES]
    pos_set = set(positives)
    negatives = [pk for pk in negatives if pk not in pos_set]
    if not positives:
        return LearnedTaste(None, negatives=len(negatives))
    background = _background(pos_set | set(negatives), seed)
    pks = positives + negatives + background
    vecs = vectors(pks)
    rows = [pk for pk in pks if pk in vecs]
    labels = np.array([1 if pk in pos_set else 0 for pk in rows])
    if labels.sum() == 0 or labels.sum() == len(labels):
        return LearnedTaste(None, positives=len(positives), negatives=len(negatives))
    neg_set = set(negatives)
    sample_weight = np.array([1.0 if (pk in pos_set or pk in neg_set) else BACKGROUND_WEIGHT for pk in rows])
    # Positives are few against the background: weigh the classes so they balance.
    n_pos = labels.sum()
    sample_weight = np.where(
        labels == 1, sample_weight * (sample_weight[labels == 0].sum() / n_pos), sample_weight
    )
    X = np.stack([vecs[pk] for pk in rows])
    weights, bias = logistic.fit(logistic.Rows(dense=X.astype(np.float64)), labels, sample_weight, C)

    texts = _texts(rows)
    vocab: dict[str, int] = {}
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for pk in rows:
        words = texts.get(pk, set())
        for w in words:
            indices.append(vocab.setdefault(w, len(vocab)))
            data.append(1.0 / math.sqrt(len(words)))
        indptr.append(len(indices))
    word_weights: dict[str, float] = {}
    if vocab:
        word_rows = logistic.sparse_rows(data, indices, indptr, len(vocab))
        coef, _ = logistic.fit(word_rows, labels, sample_weight, C * 10)  # sparse words need less shrinking
        names = list(vocab)
        keep = np.argsort(-np.abs(coef))[:TOP_WORDS]
        word_weights = {names[i]: round(float(coef[i]), 4) for i in keep if abs(coef[i]) > 1e-3}
    return LearnedTaste(
        weights=weights.astype(np.float32),
        bias=float(bias),
        words=word_weights,
        positives=int(n_pos),
        negatives=len(negatives),
        trained_ms=(time.perf_counter() - started) * 1000,
        retrained=True,
    )


def taste_row(user: Any) -> Taste:
    taste, _ = Taste.objects.get_or_create(user=user)
    return taste


def learned(user: Any) -> LearnedTaste:
    """Return the member's models: the kept ones while their signals are unchanged, else freshly trained."""
    taste = taste_row(user)
    key = signal_key(user, taste)
    if taste.trained_key == key:
        weights = bytes(taste.weights)
        return LearnedTaste(
            np.frombuffer(weights, dtype="<f4").astype(np.float32) if weights else None,
            taste.bias,
            dict(taste.words),
            taste.positives,
            taste.negatives,
            key=f"{key}@{taste.trained_at.isoformat() if taste.trained_at else ''}",
        )
    since = taste.reset_at
    model = train(positive_ids(user, since), negative_ids(user, since), seed=background_seed(user))
    taste.trained_key = key
    taste.weights = b"" if model.weights is None else model.weights.astype("<f4").tobytes()
    taste.bias = model.bias
    taste.words = model.words
    taste.positives = model.positives
    taste.negatives = model.negatives
    taste.trained_at = timezone.now()
    # The training time joins the key: a database rebuilt from scratch (tests) reuses user ids.
    model.key = f"{key}@{taste.trained_at.isoformat()}"
    taste.save(
        update_fields=["trained_key", "weights", "bias", "words", "positives", "negatives", "trained_at"]
    )
    return model


# Each web process keeps the liked papers' vectors of recent members, under their signal key:
# reading 500 vectors back for every page was a third of a /for-you request.
_LIKED: dict[int, tuple[str, list[int], np.ndarray | None]] = {}
LIKED_CACHED = 1000  # members kept per process (~0.8 MB each at 500 liked papers)


def liked_matrix(user: Any, taste: LearnedTaste) -> tuple[list[int], np.ndarray | None]:
    """Return the member's liked papers that have vectors, and their vectors as rows."""
    hit = _LIKED.get(user.pk)
    if hit is not None and hit[0] == taste.key and taste.key:
        return hit[1], hit[2]
    liked = positive_ids(user, taste_row(user).reset_at)[:MAX_POSITIVES]
    vecs = vectors(liked) if liked else {}
    pks = [pk for pk in liked if pk in vecs]
    matrix = np.stack([vecs[pk] for pk in pks]) if pks else None
    if len(_LIKED) >= LIKED_CACHED:
        _LIKED.pop(next(iter(_LIKED)))
    _LIKED[user.pk] = (taste.key, pks, matrix)
    return pks, matrix


def forget(user: Any, *, clear_signals: bool = False) -> None:
    """Forget the member's learned model: signals given before now stop counting (or are deleted)."""
    from .models import LibraryItem, NotInterested

    if clear_signals:  # upvotes stay: they are the community's counts, and only stop counting here
        LibraryItem.objects.filter(user=user).delete()
        NotInterested.objects.filter(user=user).delete()
    taste = taste_row(user)
    taste.version += 1
    taste.reset_at = timezone.now()
    taste.trained_key = ""
    taste.weights = b""
    taste.words = {}
    taste.trained_at = None
    taste.save()
