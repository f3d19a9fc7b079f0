"""Fixtures for the digest tests: a real SMTP server (aiosmtpd), papers of one listing day,
confirmed subscribers, and the environment a `paperwire digest` subprocess needs."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import socket
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from .conftest import demo_rows, write_jsonl

DAY = "2026-07-01"  # the demo set's last listing day, a Wednesday in ISO week 2026-W27
WEEK = "2026-W27"


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what arrives, and can refuse, slow down or hold deliveries."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.permanent: set[str] = set()  # recipients answered 550
        self.temporary: dict[str, int] = {}  # recipient -> how many more times to answer 451
        self.data_replies: list[str] = []  # answers to the next DATA commands instead of accepting
        self.delay = 0.0  # seconds each DATA takes
        self.hold_after: int | None = None  # hold the message after this many, until released
        self.held = threading.Event()
        self.release = threading.Event()
        self.port = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.permanent:
            return "550 5.1.1 No such mailbox"
        if self.temporary.get(address, 0) > 0:
            self.temporary[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_replies:
            return self.data_replies.pop(0)
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Held by the test"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages that arrived for address."""
        return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> Counter[str]:
        """Return how many messages each recipient got."""
        return Counter(str(m["To"]) for m in self.messages)


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[Inbox]:
    """Start a real SMTP server on 127.0.0.1 and yield what it receives."""
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        inbox.release.set()
        controller.stop()


@pytest.fixture(name="smtp_settings")
def smtp_settings_fixture(smtp: Inbox, settings: Any) -> Inbox:
    """Send this process's mail to the test's SMTP server, with quick retries."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DIGEST_RETRY_SECONDS = 0.01
    return smtp


def import_days(*days: str, limit: int | None = None) -> int:
    """Import the demo papers listed on days (at most limit per day); return how many."""
    from paperwire.papers.importer import import_files

    rows = [r for r in demo_rows() if r["announced"] in days]
    if limit is not None:
        per_day: Counter[str] = Counter()
        kept = []
        for r in rows:
            per_day[r["announced"]] += 1
            if per_day[r["announced"]] <= limit:
                kept.append(r)
        rows = kept
    with tempfile.TemporaryDirectory() as d:
        import_files([write_jsonl(Path(d) / "day.jsonl", rows)])
    return len(rows)


def subscribers(n: int, frequency: str = "daily", *, prefix: str = "reader") -> list[Any]:
    """Create n confirmed subscriptions and return them."""
    from paperwire.digests.models import Subscription

    confirmed = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    return list(
        Subscription.objects.bulk_create(
            [
                Subscription(
                    email=f"{prefix}{i}@example.org",
                    frequency=frequency,
                    status="active",
                    confirmed_at=confirmed,
                )
                for i in range(n)
            ]
        )
    )


def database_url() -> str:
    """Return a DATABASE_URL for the test database, for a subprocess to share it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        assert "memory" not in name, "the SQLite test database must be a file for subprocess tests"
        return f"sqlite:///{os.path.abspath(name)}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def command_env(inbox: Inbox, data_dir: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a `paperwire digest` subprocess on the test database and SMTP server."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PAPERWIRE_DATA_DIR": str(data_dir),
        "PAPERWIRE_SECRET_KEY": settings.SECRET_KEY,
        "PAPERWIRE_BASE_URL": settings.BASE_URL,
        "PAPERWIRE_EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}?timeout=10",
        "PAPERWIRE_DIGEST_RETRY_SECONDS": "0.05",
        **extra,
    }


def parsed(client: Any, url: str) -> Any:
    """Fetch a feed, check it answers 200, and parse it with feedparser, failing on any bozo error."""
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed
