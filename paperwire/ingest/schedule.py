"""The daily ingestion: one run per source per day, claimed in the database, in a loop."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from . import arxiv, hf, oai
from .client import IngestError
from .hooks import Hooks
from .models import IngestRun
from .report import IngestReport
from .runs import claim_run, finish_run, heartbeat, slot_run

log = logging.getLogger(__name__)

SOURCES = ("arxiv", "oai", "hf")
# OAI-PMH sets are archives; physics archives sit under physics:, the others stand alone.
PHYSICS_ARCHIVES = {
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "quant-ph",
}


def oai_set(category: str) -> str:
    """Return the OAI-PMH set holding a category: cs.LG -> cs, hep-th -> physics:hep-th."""
    archive = category.split(".", 1)[0]
    return f"physics:{archive}" if archive in PHYSICS_ARCHIVES else archive


def run_source(source: str, day: dt.date, hooks: Hooks) -> IngestReport:
    """Run one source's daily ingestion for day."""
    categories = list(settings.INGEST_CATEGORIES)
    if source == "arxiv":
        return arxiv.ingest_categories(categories, hooks=hooks)
    if source == "hf":
        report = IngestReport("hf")
        for d in (day - dt.timedelta(days=1), day):  # yesterday's list is final; today's is filling
            report.merge(hf.ingest(date=d, hooks=hooks))
            if report.error:
                break
        return report
    if source == "oai":
        report = IngestReport("oai")
        followed = set(categories)
        for set_spec in dict.fromkeys(oai_set(c) for c in categories):
            report.merge(
                oai.harvest(
                    set_spec=set_spec,
                    from_date=day - dt.timedelta(days=2),
                    until_date=day,
                    keep=lambda r: bool(followed & set(r.categories)),
                    hooks=hooks,
                )
            )
            if report.error:
                break
        return report
    raise IngestError(f"unknown ingestion source {source!r}; use {', '.join(SOURCES)}")


def run_due(now: dt.datetime | None = None, *, note: Callable[[str], None] = log.info) -> list[IngestRun]:
    """Run every configured source whose daily slot is due and unclaimed; return the runs we ran."""
    now = now or timezone.now()
    if now.hour < settings.INGEST_HOUR:
        return []
    day = now.date()
    ran = []
    for source in settings.INGEST_SOURCES:
        run = slot_run(f"daily:{source}:{day.isoformat()}", source, {"day": day.isoformat()})
        if not claim_run(run):
            continue
        note(f"{source}: running the ingestion of {day}")
        hooks = Hooks(note=note)
        hooks.page_done = lambda report, run=run: heartbeat(run, report)  # type: ignore[misc]
        try:
            report = run_source(source, day, hooks)
        except Exception as e:  # a bug must be recorded on the run, not kill the loop
            log.exception("ingestion %s failed", run.key)
            report = IngestReport(source, error=f"{type(e).__name__}: {e}")
        finish_run(run, report)
        note(f"{source}: {report.summary()}" + (f" — error: {report.error}" if report.error else ""))
        run.refresh_from_db()
        ran.append(run)
    return ran
