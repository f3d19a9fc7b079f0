"""Search jobs: embed the papers that have no (current) vector."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef

from paperwire.papers.models import Paper

from . import embedding, vectors_io
from .models import PaperVector
from .store import IndexReport, update_indexes


@dataclass
class EmbedReport:
    embedded: int = 0
    seconds: float = 0.0
    device: str = "cpu"

    def summary(self) -> str:
        rate = self.embedded / self.seconds if self.seconds else 0.0
        return f"embedded {self.embedded} paper(s) on {self.device} in {self.seconds:.1f} s ({rate:.0f}/s)"


def papers_to_embed() -> list[tuple[int, str, str]]:
    """Return (pk, title, abstract) of papers with no vector, or one made from older text."""
    has_vector = Exists(PaperVector.objects.filter(paper_id=OuterRef("pk")))
    out = list(Paper.objects.filter(~has_vector).values_list("pk", "title", "abstract"))
    # Only a paper changed since its vector was stored can have new text.
    stale = PaperVector.objects.filter(paper__modified_at__gt=F("updated_at")).values_list(
        "paper_id", "text_hash", "paper__title", "paper__abstract"
    )
    out += [(pk, t, a) for pk, h, t, a in stale.iterator(chunk_size=5000) if embedding.text_hash(t, a) != h]
    return sorted(out)


def embed_missing(
    *,
    device: str = "cpu",
    batch: int = 64,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Embed papers without a current vector, batch by batch, storing each batch as it is done."""
    started = time.monotonic()
    todo = papers_to_embed()[:limit]
    if todo:
        embedding.use_threads(os.cpu_count() or 1)  # before the model loads: one session, every core
    report = EmbedReport(device=device)
    step = max(batch, 1) * 8  # papers embedded between two writes
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        vecs = embedding.embed([embedding.paper_text(t, a) for _, t, a in part], device=device, batch=batch)
        vectors_io.store(
            [(pk, embedding.text_hash(t, a), v) for (pk, t, a), v in zip(part, vecs, strict=True)]
        )
        report.embedded += len(part)
        if progress:
            progress(len(part))
    report.seconds = time.monotonic() - started
    return report


def after_ingest(*, device: str = "cpu", batch: int = 64) -> tuple[EmbedReport, IndexReport]:
    """Embed what an ingestion brought in and bring both indexes up to date (for the worker loop)."""
    report = embed_missing(device=device, batch=batch)
    return report, update_indexes()
