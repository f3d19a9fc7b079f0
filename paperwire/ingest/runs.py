"""Claiming work by conditional UPDATE (so two workers never run the same ingestion) and recording runs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from paperwire.claims import holder_id, holder_is_gone

from .models import HarvestState, IngestRun
from .report import IngestReport

STALE_AFTER = dt.timedelta(minutes=15)  # a claim whose heartbeat is older belongs to a dead worker
RETRY_FAILED_AFTER = dt.timedelta(minutes=30)  # a failed daily slot is tried again after this…
MAX_ATTEMPTS = 3  # …at most this many times in all


def _take_over_dead(model: Any, pk: int, base: Q, values: dict[str, Any]) -> bool:
    """Claim a row whose holder died on this host, if it still has that holder."""
    row = model.objects.filter(pk=pk).values("claimed_by").first()
    if not row or not row["claimed_by"] or not holder_is_gone(row["claimed_by"]):
        return False
    return bool(model.objects.filter(base, pk=pk, claimed_by=row["claimed_by"]).update(**values))


def claim_harvest(state: HarvestState) -> str | None:
    """Claim a harvest for this process; return the claim tag, or None when another live one has it."""
    me, now = holder_id(), timezone.now()
    values = {"claimed_by": me, "heartbeat_at": now}
    free = Q(claimed_by="") | Q(heartbeat_at__lt=now - STALE_AFTER) | Q(claimed_by=me)
    if HarvestState.objects.filter(free, pk=state.pk).update(**values) or _take_over_dead(
        HarvestState, state.pk, Q(), values
    ):
        return me
    return None


def release_harvest(state: HarvestState, holder: str) -> None:
    """Let go of a harvest claimed by holder."""
    HarvestState.objects.filter(pk=state.pk, claimed_by=holder).update(claimed_by="", heartbeat_at=None)


def slot_run(key: str, source: str, params: dict[str, Any]) -> IngestRun:
    """Return the run row of a scheduled slot, creating it (pending) the first time."""
    run, _ = IngestRun.objects.get_or_create(
        key=key, defaults={"source": source, "trigger": "schedule", "params": params}
    )
    return run


def claim_run(run: IngestRun) -> bool:
    """Take a run for this process with one conditional UPDATE; return whether we got it."""
    me, now = holder_id(), timezone.now()
    values = {
        "status": IngestRun.RUNNING,
        "claimed_by": me,
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "error": "",
        "attempts": F("attempts") + 1,
    }
    claimable = (
        Q(status=IngestRun.PENDING)
        | Q(status=IngestRun.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        | Q(status=IngestRun.FAILED, attempts__lt=MAX_ATTEMPTS, finished_at__lt=now - RETRY_FAILED_AFTER)
    )
    if IngestRun.objects.filter(claimable, pk=run.pk).update(**values):
        return True
    return _take_over_dead(IngestRun, run.pk, Q(status=IngestRun.RUNNING), values)


def start_command_run(source: str, params: dict[str, Any]) -> IngestRun:
    """Record a run started by a person at the command line (already claimed)."""
    reap_dead_runs()
    now = timezone.now()
    return IngestRun.objects.create(
        key=f"command:{source}:{now:%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:8]}",
        source=source,
        trigger="command",
        params=params,
        status=IngestRun.RUNNING,
        attempts=1,
        claimed_by=holder_id(),
        started_at=now,
        heartbeat_at=now,
    )


def _counts(report: IngestReport) -> dict[str, Any]:
    return {
        "fetched": report.fetched,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "invalid": report.invalid,
        "duplicates": report.duplicates,
        "pages": report.pages,
        "reasons": report.reasons[:200],
        "notes": report.notes[:50],
    }


def heartbeat(run: IngestRun, report: IngestReport) -> None:
    """Save a running run's counts so far and show it is alive."""
    IngestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), **_counts(report))


def finish_run(run: IngestRun, report: IngestReport) -> None:
    """Record how a run ended: its counts, and its error when it failed."""
    status = IngestRun.FAILED if report.error else IngestRun.DONE
    IngestRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        claimed_by="",
        error=report.error[:5000],
        **_counts(report),
    )


def reap_dead_runs() -> int:
    """Mark running runs whose process died on this host (killed, crashed) as failed; return how many."""
    reaped = 0
    for run in (
        IngestRun.objects.filter(status=IngestRun.RUNNING).exclude(claimed_by="").only("pk", "claimed_by")
    ):
        if holder_is_gone(run.claimed_by):
            reaped += IngestRun.objects.filter(
                pk=run.pk, status=IngestRun.RUNNING, claimed_by=run.claimed_by
            ).update(
                status=IngestRun.FAILED,
                finished_at=timezone.now(),
                claimed_by="",
                error="the process running it stopped without finishing (killed or crashed)",
            )
    return reaped
