"""The digest schedule that the background worker (`paperwire serve`, `paperwire worker`) runs."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

from paperwire import jobs
from paperwire.digests import schedule

from .digests_fixtures import (  # noqa: F401  (fixtures)
    DAY,
    Inbox,
    free_port,
    import_days,
    smtp_fixture,
    smtp_settings_fixture,
    subscribers,
)

NOW = dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)


def test_a_tick_sends_what_is_due_and_a_broken_server_does_not_stop_the_loop(
    transactional_db: None, smtp_settings: Inbox, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule.timezone, "now", lambda: NOW)
    import_days(DAY, limit=5)
    readers = subscribers(2)
    settings.EMAIL_PORT = free_port()  # the server is down: logged, not raised
    assert schedule.tick() is None
    settings.EMAIL_PORT = smtp_settings.port
    report = schedule.tick()
    assert report is not None and report.sent == 2
    assert schedule.tick().sent == 0  # type: ignore[union-attr]
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}


def test_the_background_worker_sends_due_digests_unless_switched_off(
    transactional_db: None, smtp_settings: Inbox, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule.timezone, "now", lambda: NOW)
    monkeypatch.setattr(jobs, "run_due", lambda **_: [])  # no ingestion: no network
    import_days(DAY, limit=5)
    readers = subscribers(2)

    def one_pass() -> None:
        stop = threading.Event()
        worker = threading.Thread(target=jobs.loop, kwargs={"stop": stop, "interval": 0.05})
        worker.start()
        time.sleep(0.5)
        stop.set()
        worker.join(timeout=30)

    settings.DIGEST_IN_SERVE = False
    one_pass()
    assert smtp_settings.recipients() == {}
    settings.DIGEST_IN_SERVE = True
    one_pass()
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}
