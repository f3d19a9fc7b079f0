"""Exactly once under failure: a `paperwire digest` process killed mid-run, and two run at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from paperwire.digests.models import DigestSend

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


def test_two_digest_jobs_at_once_give_every_subscriber_exactly_one_message(
    transactional_db: None, smtp: Inbox, tmp_path: Path
) -> None:
    import_days(DAY, limit=12)
    readers = subscribers(30)
    smtp.delay = 0.02  # slow enough that the two jobs overlap
    env = command_env(smtp, tmp_path, PAPERWIRE_DIGEST_BATCH="3")
    jobs = [digest(env), digest(env)]
    outputs = [job.communicate(timeout=WAIT)[0] for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0], outputs
    sent = [int(re.search(r"sent (\d+)", out)[1]) for out in outputs]
    assert sum(sent) == 30, outputs
    assert smtp.recipients() == {r.email: 1 for r in readers}
    assert DigestSend.objects.filter(status="sent").count() == 30


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
