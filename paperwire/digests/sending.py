"""The digest job: send each due period's digest to each subscriber exactly once.

Every (subscriber, period) pair gets one DigestSend row (a unique constraint), created
"pending". A worker claims a batch of rows by a conditional UPDATE (pending → claimed, with its
host:pid:batch mark), sends each message over one SMTP connection, and marks each row "sent"
right after the server accepted it. Two workers never claim the same row; a worker that dies
leaves "claimed" rows that the next run takes back (at once when the dead process ran on this
host, else after DIGEST_CLAIM_TIMEOUT). The one case that can repeat a message is a crash in
the instant between the server's "250 OK" and the mark; the Message-ID is then the same, so
mail servers and clients that de-duplicate see one message.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.db.models import F, Q

from paperwire.claims import holder_id, holder_is_gone
from paperwire.papers.periods import BadPeriod, Period, parse_day, parse_week, period_containing

from .digest import DigestContent, content_for, digest_message
from .models import DigestSend, Subscription

log = logging.getLogger(__name__)

DEFER = dt.timedelta(minutes=30)  # a message that kept failing temporarily waits this long for a later run
ERROR_CHARS = 500  # DigestSend.error's length


class TransportDown(Exception):
    """The SMTP server cannot be reached or refuses us (not one recipient): the run stops."""


@dataclass
class DigestReport:
    """What a digest run did."""

    periods: list[str] = field(default_factory=list)
    papers: int = 0  # papers in the digests
    sent: int = 0
    bounced: int = 0  # permanent failures (5xx), counted against the subscription
    deferred: int = 0  # temporary failures left for a later run
    paused: int = 0  # subscriptions paused after repeated bounces
    notes: list[str] = field(default_factory=list)  # why a period sent nothing

    def merge(self, other: DigestReport) -> None:
        """Add other's counts to this report."""
        self.periods += other.periods
        self.papers += other.papers
        for name in ("sent", "bounced", "deferred", "paused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes += other.notes

    def summary(self) -> str:
        """Return the report as one line."""
        periods = ", ".join(self.periods) or "none"
        return (
            f"periods {periods}: sent {self.sent}, bounced {self.bounced}, deferred {self.deferred}, "
            f"paused {self.paused}"
        )


def parse_digest_period(text: str) -> Period:
    """Return the day (2026-07-01) or ISO week (2026-W27) a digest covers."""
    try:
        return parse_week(text) if "W" in text else parse_day(text)
    except BadPeriod:
        raise BadPeriod(f"{text[:40]!r} is not a day (2026-07-01) or an ISO week (2026-W27)") from None


def frequency_of(period: Period) -> str:
    """Return the subscription frequency whose digest covers period."""
    return Subscription.WEEKLY if period.kind == "week" else Subscription.DAILY


def plan(period: Period, *, confirmed_before: dt.datetime | None = None) -> int:
    """Create the pending sends of period for active subscribers who have none yet; return how many."""
    subs = Subscription.objects.filter(status=Subscription.ACTIVE, frequency=frequency_of(period))
    if confirmed_before is not None:
        subs = subs.filter(confirmed_at__lt=confirmed_before)
    missing = subs.exclude(sends__period=period.slug).values_list("pk", flat=True)
    rows = [DigestSend(subscription_id=pk, period=period.slug) for pk in missing.iterator()]
    # Another worker may plan the same rows at once: the unique constraint keeps one of each.
    DigestSend.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def release_stale(period: Period, *, now: dt.datetime) -> int:
    """Put back to pending the claims of workers that died (on this host, or too long ago)."""
    released = 0
    expired = now - dt.timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT)
    claims = (
        DigestSend.objects.filter(period=period.slug, status=DigestSend.CLAIMED)
        .values_list("claim", "claimed_at")
        .distinct()
    )
    for claim, claimed_at in list(claims):
        if claimed_at is None or claimed_at < expired or holder_is_gone(claim):
            released += DigestSend.objects.filter(claim=claim, status=DigestSend.CLAIMED).update(
                status=DigestSend.PENDING, claim=""
            )
    return released


def claim(period: Period, *, size: int, now: dt.datetime) -> tuple[list[DigestSend], bool]:
    """Claim up to size pending sends of period; return them, and whether any were pending."""
    todo = DigestSend.objects.filter(period=period.slug, status=DigestSend.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )
    ids = list(todo.order_by("pk").values_list("pk", flat=True)[:size])
    if not ids:
        return [], False
    mark = holder_id(uuid.uuid4().hex[:12])
    # Conditional on still being pending: of two workers that picked the same rows, one gets each.
    DigestSend.objects.filter(pk__in=ids, status=DigestSend.PENDING).update(
        status=DigestSend.CLAIMED, claim=mark, claimed_at=now
    )
    rows = list(
        DigestSend.objects.filter(claim=mark, status=DigestSend.CLAIMED).select_related("subscription")
    )
    return rows, True


def _release(rows: list[DigestSend]) -> None:
    marks = {r.claim for r in rows}
    DigestSend.objects.filter(claim__in=marks, status=DigestSend.CLAIMED).update(
        status=DigestSend.PENDING, claim=""
    )


class Sender:
    """Delivers messages over one reused SMTP connection, retrying temporary failures."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend = get_connection(fail_silently=False)
        self.sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        """Close the SMTP connection."""
        self.connection.close()

    def _ensure_open(self, lost: bool) -> None:
        if not isinstance(self.connection, smtp.EmailBackend):
            return  # console / locmem: nothing to keep open
        if lost:
            self.connection.close()
        if self.connection.connection is None:
            # send_messages() closes a connection it opened itself; opened here, it stays open.
            self.connection.open()

    def send(self, message: object) -> tuple[str, str]:
        """Send message; return ("sent" | "bounced" | "deferred", error). Raise TransportDown."""
        error = ""
        lost = False
        for attempt in range(settings.DIGEST_RETRIES):
            if attempt:
                # Back-off: DIGEST_RETRY_SECONDS, then twice that, then four times, …
                self.sleep(settings.DIGEST_RETRY_SECONDS * 2 ** (attempt - 1))
            try:
                self._ensure_open(lost)
                lost = False
                self.connection.send_messages([message])  # type: ignore[list-item]
                return "sent", ""
            except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as e:
                raise TransportDown(f"the SMTP server refuses us: {e}") from e
            except (smtplib.SMTPConnectError, smtplib.SMTPHeloError) as e:
                error, lost = f"connection: {e!r}", True  # the server, not this recipient
            except smtplib.SMTPRecipientsRefused as e:
                codes = [code for code, _ in e.recipients.values()]
                error = f"recipient refused: {e.recipients}"
                if codes and min(codes) >= 500:
                    return "bounced", error
            except smtplib.SMTPResponseException as e:
                error = f"{e.smtp_code} {e.smtp_error!r}"
                if e.smtp_code >= 500:
                    return "bounced", error
                lost = e.smtp_code == 421  # "closing the channel": reconnect for the next try
            except (smtplib.SMTPException, OSError) as e:
                error, lost = f"connection: {e!r}", True
        if lost:
            raise TransportDown(
                f"the SMTP server is unreachable after {settings.DIGEST_RETRIES} tries: {error}"
            )
        return "deferred", error


def _record(row: DigestSend, outcome: str, error: str, report: DigestReport, now: dt.datetime) -> None:
    """Mark one claimed send with what happened to it; count bounces against its subscription."""
    sub = row.subscription
    done = DigestSend.objects.filter(pk=row.pk, claim=row.claim, status=DigestSend.CLAIMED)
    if outcome == "sent":
        done.update(status=DigestSend.SENT, sent_at=dt.datetime.now(dt.UTC), attempts=F("attempts") + 1)
        if sub.bounces:
            Subscription.objects.filter(pk=sub.pk).update(bounces=0)
        report.sent += 1
    elif outcome == "bounced":
        done.update(status=DigestSend.FAILED, attempts=F("attempts") + 1, error=error[:ERROR_CHARS])
        Subscription.objects.filter(pk=sub.pk).update(bounces=F("bounces") + 1)
        report.bounced += 1
        report.paused += Subscription.objects.filter(
            pk=sub.pk, status=Subscription.ACTIVE, bounces__gte=settings.DIGEST_MAX_BOUNCES
        ).update(status=Subscription.PAUSED)
    elif outcome == "deferred":
        done.update(
            status=DigestSend.PENDING,
            claim="",
            not_before=now + DEFER,
            attempts=F("attempts") + 1,
            error=error[:ERROR_CHARS],
        )
        report.deferred += 1
    else:
        done.update(status=DigestSend.FAILED, error=error[:ERROR_CHARS])


def _deliver(
    rows: list[DigestSend],
    content: DigestContent,
    sender: Sender,
    report: DigestReport,
    progress: Callable[[int], None] | None,
    now: dt.datetime,
) -> None:
    """Send each claimed row's message and mark it the moment the server has answered.

    One thread does the SMTP conversation, in order, over one connection; this thread renders
    the next message and writes the marks meanwhile (the database stays on this thread). The
    overlap is what makes 10,000 digests take under a minute: the server's time per message is
    about the client's.
    """
    in_flight: deque[tuple[DigestSend, Future[tuple[str, str]]]] = deque()

    def finish() -> None:
        row, future = in_flight.popleft()
        _record(row, *future.result(), report, now)
        if progress:
            progress(1)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp") as smtp_thread:
        try:
            for row in rows:
                sub = row.subscription
                if sub.status != Subscription.ACTIVE:
                    _record(row, "skipped", f"subscription {sub.status} before sending", report, now)
                    continue
                in_flight.append((row, smtp_thread.submit(sender.send, digest_message(sub, content))))
                if len(in_flight) > 1:
                    finish()
            while in_flight:
                finish()
        except BaseException:
            # A message already handed to the SMTP thread may still go out: wait, and mark it if so.
            for row, future in in_flight:
                try:
                    _record(row, *future.result(), report, now)
                except Exception:  # noqa: S112  # it failed like the first: left claimed, released
                    continue
            raise


@contextmanager
def _marks_without_flush_wait() -> Iterator[None]:
    """On PostgreSQL, let each mark commit without waiting for its disk flush (synchronous_commit).

    The mark is still atomic and in order; only a crash of the database server itself within
    a fraction of a second could forget one, and then that message goes out again with the same
    Message-ID. Waiting for 10,000 flushes took longer than the sending.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def send_period(
    period: Period,
    *,
    now: dt.datetime,
    confirmed_before: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> DigestReport:
    """Send period's digest to every active subscriber of its frequency who has not had it."""
    report = DigestReport(periods=[period.slug])
    if period.kind == "date" and period.start.weekday() >= 5:
        report.notes.append(f"{period.slug}: daily digests go out on weekdays only")
        return report
    content = content_for(period)
    if not content.papers:
        report.notes.append(f"{period.slug}: no papers listed, nothing to send")
        return report
    report.papers = len(content.papers)
    plan(period, confirmed_before=confirmed_before)
    release_stale(period, now=now)
    if total:
        total(DigestSend.objects.filter(period=period.slug, status=DigestSend.PENDING).count())
    sender = Sender()
    with _marks_without_flush_wait():
        try:
            while True:
                rows, any_pending = claim(period, size=settings.DIGEST_BATCH, now=now)
                if not any_pending:
                    break
                try:
                    _deliver(rows, content, sender, report, progress, now)
                finally:
                    _release(rows)  # rows not reached (an error, an interrupt) go back to pending
                    sender.close()  # one connection per batch: servers limit messages per connection
        finally:
            sender.close()
    return report


def due_periods(now: dt.datetime) -> list[tuple[Period, dt.datetime]]:
    """Return the daily and weekly periods due at now, each with the moment it became due."""
    # The last day whose digest hour has passed: before DIGEST_HOUR, that is still yesterday.
    today = (now - dt.timedelta(hours=settings.DIGEST_HOUR)).date()
    day = period_containing("date", today - dt.timedelta(days=1))
    # The last whole ISO week before today (the Sunday before today lies in it).
    week = period_containing("week", today - dt.timedelta(days=today.weekday() + 1))
    return [
        (p, dt.datetime.combine(p.end + dt.timedelta(days=1), dt.time(settings.DIGEST_HOUR), dt.UTC))
        for p in (day, week)
    ]


def run_due(*, now: dt.datetime) -> DigestReport:
    """Send every digest due at now (the last weekday, the last ISO week) to whoever lacks it."""
    report = DigestReport()
    for period, due_at in due_periods(now):
        # Who confirmed after the digest fell due waits for the next one.
        report.merge(send_period(period, now=now, confirmed_before=due_at))
    return report
