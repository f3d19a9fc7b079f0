"""The digest schedule: tick() from the background worker (`paperwire serve`, `paperwire worker`)
or `paperwire digest --loop`. Each send is claimed in the database, so several loops may run at once.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from .sending import DigestReport, TransportDown, run_due

log = logging.getLogger(__name__)

INTERVAL = 60.0  # seconds between checks: digests go out within a minute of DIGEST_HOUR


def tick() -> DigestReport | None:
    """Run what is due now; log, never raise, so the loop outlives a broken SMTP server."""
    close_old_connections()
    try:
        report = run_due(now=timezone.now())
        if report.sent or report.bounced or report.deferred:
            log.warning("digests: %s", report.summary())
        return report
    except TransportDown as e:
        log.error("digests: %s", e)
    except Exception:
        log.exception("digests: the run failed")
    finally:
        connection.close()
    return None


def loop(stop: threading.Event, interval: float = INTERVAL) -> None:
    """Call tick() every interval seconds until stop is set."""
    while not stop.is_set():
        tick()
        stop.wait(interval)
