"""Queries behind the ingestion status page."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import HarvestState, IngestRun

RECENT_RUNS = 50


def status_context() -> dict[str, Any]:
    """Return the recent runs, the harvest positions and the schedule, for the status page."""
    return {
        "runs": list(IngestRun.objects.order_by("-created_at", "-id")[:RECENT_RUNS]),
        "harvests": list(HarvestState.objects.order_by("-updated_at")[:RECENT_RUNS]),
        "schedule": {
            "sources": settings.INGEST_SOURCES,
            "categories": settings.INGEST_CATEGORIES,
            "hour": settings.INGEST_HOUR,
        },
    }
