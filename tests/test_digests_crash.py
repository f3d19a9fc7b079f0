"""Exactly once under failure: a `paperwire digest` process killed mid-run, and two run at once."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from paperwire.digests.models import DigestSend
from paperwire.digests.sending import parse_digest_period, plan

from .conftest import ROOT
from .digests_fixtures import DAY, Inbox, command_env, import_days, smtp_fixture, subscribers  # noqa: F401  (fixtures)

COMMAND = [sys.executable, "-m", "paperwire", "digest", "--period", DAY]
WAIT = 120  # seconds a subprocess may take before the test gives up on it (it takes about 2)


def digest(env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `paperwire digest --period DAY` as its own process."""
    return subprocess.Popen(
        COMMAND, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_a_killed_digest_job_rerun_gives_every_subscriber_exactly_one_message(
    transactional_db: None, smtp: Inbox, tmp_path: Path
) -> None:
    import_days(DAY, limit=12)
    readers = subscribers(12)
    env = command_env(smtp, tmp_path, PAPERWIRE_DIGEST_BATCH="4")
    smtp.hold_after = 5  # the 6th message waits at the server while the sender is killed
    job = digest(env)
    assert smtp.held.wait(WAIT), job.communicate()[0]
    os.kill(job.pid, signal.SIGKILL)
    job.wait(WAIT)
    assert job.returncode == -signal.SIGKILL
    smtp.release.set()
    assert len(smtp.messages) == 5
    assert DigestSend.objects.filter(status="sent").count() == 5
    assert DigestSend.objects.filter(status="claimed").count() >= 1  # the dead job's unfinished claim
    smtp.hold_after = None
    rerun = subprocess.run(COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"periods {DAY}: sent 7" in rerun.stdout
    assert smtp.recipients() == {r.email: 1 for r in readers}
    assert set(DigestSend.objects.values_list("status", flat=True)) == {"sent"}


def claimers() -> set[str]:
    """Return the processes (host:pid) holding claimed sends right now."""
    claims = DigestSend.objects.filter(status="claimed").values_list("claim", flat=True)
    return {":".join(c.split(":")[:2]) for c in claims}


def test_two_digest_jobs_at_once_give_every_subscriber_exactly_one_message(
    transactional_db: None, smtp: Inbox, tmp_path: Path
) -> None:
    import_days(DAY, limit=12)
    readers = subscribers(30)
    env = command_env(smtp, tmp_path, PAPERWIRE_DIGEST_BATCH="3")
    smtp.hold_after = 0  # every message waits at the server: the first job stops mid-batch
    first = digest(env)
    assert smtp.held.wait(WAIT), first.communicate()[0]
    second = digest(env)
    # Both jobs hold claims at the same moment: they really overlap.
    deadline = time.monotonic() + WAIT
    while len(claimers()) < 2 and time.monotonic() < deadline and second.poll() is None:
        time.sleep(0.05)
    assert len(claimers()) == 2, claimers()
    smtp.hold_after = None
    smtp.release.set()  # the held messages get a 451 and are sent again at once
    outputs = [job.communicate(timeout=WAIT)[0] for job in (first, second)]
    assert [job.returncode for job in (first, second)] == [0, 0], outputs
    sent = [int(re.search(r"sent (\d+)", out)[1]) for out in outputs]  # type: ignore[index]
    assert all(n > 0 for n in sent) and sum(sent) == 30, outputs
    assert smtp.recipients() == {r.email: 1 for r in readers}
    assert DigestSend.objects.filter(status="sent").count() == 30


@pytest.mark.parametrize(
    "claim, minutes_ago, taken",
    [
        ("elsewhere:4242:cafe0000:b1", 30, True),  # another machine, past PAPERWIRE_DIGEST_CLAIM_TIMEOUT
        ("elsewhere:4242:cafe0000:b1", 1, False),  # another machine, still within it: maybe alive
        (f"{socket.gethostname()}:999999:cafe0000:b1", 1, True),  # this machine, the process is gone
    ],
    ids=["stale elsewhere", "fresh elsewhere", "dead here"],
)
def test_a_stale_or_dead_claim_is_taken_over_and_a_live_one_is_left(
    transactional_db: None, smtp: Inbox, tmp_path: Path, claim: str, minutes_ago: int, taken: bool
) -> None:
    import_days(DAY, limit=3)
    readers = subscribers(3)
    plan(parse_digest_period(DAY))
    DigestSend.objects.update(
        status="claimed", claim=claim, claimed_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    done = subprocess.run(
        COMMAND, cwd=ROOT, env=command_env(smtp, tmp_path), capture_output=True, text=True, timeout=WAIT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    if taken:
        assert smtp.recipients() == {r.email: 1 for r in readers}
        assert set(DigestSend.objects.values_list("status", flat=True)) == {"sent"}
    else:
        assert smtp.messages == []
        assert set(DigestSend.objects.values_list("claim", flat=True)) == {claim}


@pytest.mark.parametrize("period", ["2026-07-32", "2026-W99", "today\r\nBcc: x@example.org"])
def test_the_digest_command_refuses_a_bad_period_and_sends_nothing(
    transactional_db: None, smtp: Inbox, tmp_path: Path, period: str
) -> None:
    subscribers(2)
    done = subprocess.run(
        [*COMMAND[:-1], period],
        cwd=ROOT,
        env=command_env(smtp, tmp_path),
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode != 0 and "is not a day" in done.stderr
    assert not smtp.messages and not DigestSend.objects.exists()
