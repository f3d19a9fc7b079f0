"""The background pass every node runs, in order: the due ingestion (claimed once across all
nodes), embedding the papers that have no vector, bringing THIS node's search index files up to
date with the database, and sending the due digests (each send claimed).

`paperwire worker` loops over run_pass() (what `paperwire serve` starts beside gunicorn);
`paperwire worker --once` runs one pass. The index step runs on every pass on every node,
whatever brought the papers in (a scheduled ingestion, `paperwire ingest` or `import`, a
member's submission, another node), so each node's own index files follow the shared database.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from paperwire.digests.sending import DigestReport, TransportDown
from paperwire.digests.sending import run_due as send_due_digests
from paperwire.ingest.models import IngestRun
from paperwire.ingest.schedule import run_due
from paperwire.search.jobs import EmbedReport, embed_missing
from paperwire.search.store import IndexReport, update_indexes

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    """What one pass did, step by step; a step that failed is named in errors."""

    ingested: list[IngestRun] = field(default_factory=list)
    embedded: EmbedReport | None = None
    indexed: IndexReport | None = None
    digests: DigestReport | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """Return one line per step, for the person watching the worker."""
        runs = ", ".join(f"{r.source} {r.status}" for r in self.ingested) or "nothing due"
        out = [f"ingestion: {runs}"]
        if self.embedded is not None:
            out.append(f"embedding: {self.embedded.summary()}")
        if self.indexed is not None:
            out.append(f"indexes: {self.indexed.summary()}")
        if self.digests is not None:
            out.append(f"digests: {self.digests.summary()}")
        out += [f"error: {e}" for e in self.errors]
        out.append(f"pass done in {self.seconds:.1f} s")
        return out


def _step(report: PassReport, name: str, work: Callable[[], object]) -> object | None:
    """Run one step; a failure is logged and recorded, and the next steps still run."""
    try:
        return work()
    except TransportDown as e:  # the SMTP server is away: the digests wait for a later pass
        report.errors.append(f"{name}: {e}")
        log.error("%s: %s", name, e)
    except Exception as e:  # the database may be briefly away: try again next pass
        report.errors.append(f"{name}: {type(e).__name__}: {e}")
        log.exception("the background pass failed at %s", name)
    return None


def run_pass(now: dt.datetime | None = None, *, note: Callable[[str], None] = log.info) -> PassReport:
    """Run one whole background pass on this node and return what it did."""
    started = time.monotonic()
    now = now or timezone.now()
    report = PassReport()
    runs = _step(report, "ingestion", lambda: run_due(now, note=note))
    report.ingested = runs if isinstance(runs, list) else []
    embedded = _step(report, "embedding", embed_missing)
    report.embedded = embedded if isinstance(embedded, EmbedReport) else None
    indexed = _step(report, "indexes", update_indexes)
    report.indexed = indexed if isinstance(indexed, IndexReport) else None
    if settings.DIGEST_IN_SERVE:
        sent = _step(report, "digests", lambda: send_due_digests(now=now))
        report.digests = sent if isinstance(sent, DigestReport) else None
    report.seconds = time.monotonic() - started
    return report


def loop(
    *,
    stop: threading.Event | None = None,
    interval: float | None = None,
    parent_pid: int | None = None,
    note: Callable[[str], None] = log.info,
) -> None:
    """Run a pass every `interval` seconds until stopped (or the parent process is gone)."""
    stop = stop or threading.Event()
    interval = settings.WORKER_INTERVAL if interval is None else interval
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            note("the server that started this worker is gone; stopping")
            return
        close_old_connections()  # the database may have restarted since the last pass
        try:
            report = run_pass(note=note)
        finally:
            close_old_connections()
        # A quiet pass (nothing ingested, embedded, indexed or sent) prints nothing.
        if report.ingested or report.errors or _did_work(report):
            for line in report.lines():
                note(line)
        stop.wait(interval)


def _did_work(report: PassReport) -> bool:
    """Return whether a pass changed anything worth a line in the log."""
    embedded = bool(report.embedded and report.embedded.embedded)
    index = report.indexed
    indexed = bool(
        index
        and (index.keyword_added or index.vectors_added or index.keyword_rebuilt or index.vectors_rebuilt)
    )
    digests = report.digests
    sent = bool(digests and (digests.sent or digests.bounced or digests.deferred))
    return embedded or indexed or sent
