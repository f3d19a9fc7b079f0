"""Search jobs: embed the papers that have no (current) vector."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef

from paperwire.papers.models import Paper

from . import embedding, vectors_io
from .models import PaperVector
from .store import IndexReport, update_indexes

DEFAULT_BATCH = {"cpu": 64, "cuda": 1024}  # papers a forward pass: cuda's is the H200 figure's (fp16)
# Papers read from the database, embedded and stored at a time: a step sorts its texts by length
# (little padding) and commits its vectors, so a killed run loses at most one step.
STEP = {"cpu": 512, "cuda": 16_384}


@dataclass
class EmbedReport:
    embedded: int = 0
    seconds: float = 0.0
    device: str = "cpu"

    def summary(self) -> str:
        """Return the line a person reads after an embedding run."""
        rate = self.embedded / self.seconds if self.seconds else 0.0
        return f"embedded {self.embedded} paper(s) on {self.device} in {self.seconds:.1f} s ({rate:.0f}/s)"


def _missing() -> Iterator[list[tuple[int, str, str]]]:
    """Yield chunks of (pk, title, abstract) of papers with no vector, by pk (keyset: never all in memory)."""
    has_vector = Exists(PaperVector.objects.filter(paper_id=OuterRef("pk")))
    last = 0
    while True:
        rows = list(
            Paper.objects.filter(~has_vector, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "abstract")[: STEP["cuda"]]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _stale() -> list[tuple[int, str, str]]:
    """Return (pk, title, abstract) of papers whose vector was made from older text."""
    # Only a paper changed since its vector was stored can have new text.
    stale = PaperVector.objects.filter(paper__modified_at__gt=F("updated_at")).values_list(
        "paper_id", "text_hash", "paper__title", "paper__abstract"
    )
    return [(pk, t, a) for pk, h, t, a in stale.iterator(chunk_size=5000) if embedding.text_hash(t, a) != h]


def count_to_embed() -> int:
    """Return how many papers have no vector (those with a stale one are few and not counted)."""
    has_vector = Exists(PaperVector.objects.filter(paper_id=OuterRef("pk")))
    return Paper.objects.filter(~has_vector).count()


def _todo(limit: int | None) -> Iterator[tuple[list[tuple[int, str, str]], bool]]:
    """Yield (chunk, fresh) of at most limit papers: those with no vector (fresh), then stale ones."""
    left = limit
    for chunk in _missing():
        if left is not None:
            chunk = chunk[:left]
            left -= len(chunk)
        if chunk:
            yield chunk, True
        if left == 0:
            return
    stale = _stale()[:left] if left is not None else _stale()
    if stale:
        yield stale, False


def embed_missing(
    *,
    device: str = "cpu",
    batch: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Embed papers without a current vector, step by step, storing each step as it is done;
    a rerun after a kill goes on with the papers still without one."""
    started = time.monotonic()
    batch = max(batch or DEFAULT_BATCH.get(device, 64), 1)
    step = STEP["cuda" if device.startswith("cuda") else "cpu"]
    report = EmbedReport(device=device)
    threads_set = False
    for chunk, fresh in _todo(limit):
        if not threads_set:
            embedding.use_threads(os.cpu_count() or 1)  # before the model loads: one session, every core
            threads_set = True
        for start in range(0, len(chunk), step):
            part = chunk[start : start + step]
            vecs = embedding.embed(
                [embedding.paper_text(t, a) for _, t, a in part], device=device, batch=batch
            )
            pairs = [(pk, embedding.text_hash(t, a), v) for (pk, t, a), v in zip(part, vecs, strict=True)]
            vectors_io.store(pairs, fresh=fresh)
            report.embedded += len(part)
            if progress:
                progress(len(part))
    report.seconds = time.monotonic() - started
    return report


def after_ingest(*, device: str = "cpu", batch: int | None = None) -> tuple[EmbedReport, IndexReport]:
    """Embed what an ingestion brought in and bring both indexes up to date (for the worker loop)."""
    report = embed_missing(device=device, batch=batch)
    return report, update_indexes()
