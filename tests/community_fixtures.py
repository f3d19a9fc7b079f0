"""Fixtures for the community tests: members, a recorded arXiv API and a real SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.servers import basehttp

# The live server's listen backlog is 10; the concurrency test opens 50 connections at once,
# and a full backlog resets them. Raise it before any live server starts.
basehttp.WSGIServer.request_queue_size = 256

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "community"
# Recorded real arXiv API answers (from shared/data/formats/arxiv-api), by the id asked for.
RECORDED = {
    "1605.08386": "recorded-2026_id_1605.08386_s0_m100_199195aa31ad.json",
    "1707.08567": "recorded-2026_id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json",
    "0000.0000": "recorded-2026_id_0000.0000_s0_m100_8b51d9633a68.json",
    "abc": "recorded-2026_id_abc_s0_m100_b79c8dcf6bc3.json",
}


@dataclass
class ArxivServer:
    url: str
    asked: list[str] = field(default_factory=list)


@pytest.fixture
def arxiv_api(settings: Any) -> Iterator[ArxivServer]:
    """Serve recorded arXiv API responses from a local HTTP server and point paperwire at it."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            query = parse_qs(urlsplit(self.path).query)
            wanted = query.get("id_list", [""])[0]
            asked.append(wanted)
            name = RECORDED.get(wanted, RECORDED["0000.0000"])
            recorded = json.loads((FIXTURES / name).read_text())
            body = recorded["body"].encode()
            self.send_response(recorded["status_code"])
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ARXIV_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    settings.ARXIV_DELAY = 0
    try:
        yield ArxivServer(settings.ARXIV_API_URL, asked)
    finally:
        server.shutdown()
        server.server_close()


class Inbox:
    """Messages an aiosmtpd server received, as raw RFC 5322 text."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's name)
        with self.arrived:
            self.messages.append(envelope.content.decode("utf-8", "replace"))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15) -> list[str]:
        """Return the messages once count have arrived (fails after timeout seconds)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} e-mails, got {len(self.messages)}"
        return self.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """Start a real SMTP server (aiosmtpd) and send mail to it through the e-mail URL parser."""
    from aiosmtpd.controller import Controller

    from paperwire.settings import parse_email_url

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in parse_email_url(f"smtp://127.0.0.1:{port}?timeout=10").items():
        setattr(settings, name, value)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def clear_cache() -> Iterator[None]:
    """Start and end each test with empty rate-limit counters (the cache table outlives flushes)."""
    from django.core.cache import cache

    from paperwire.ratelimits.models import Counter

    cache.clear()  # allauth's own limits count here
    Counter.objects.all().delete()
    yield
    cache.clear()
    Counter.objects.all().delete()
