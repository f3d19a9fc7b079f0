"""A local stand-in for arXiv and Hugging Face: replays recorded responses, pages, throttles and breaks."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
ROOT = Path(__file__).resolve().parents[1]


def fixture(name: str) -> bytes:
    """Return a recorded response's bytes."""
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/atom+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cut_at: int | None = None  # promise the whole body, send this many bytes, hang up
    wait: threading.Event | None = None  # hold the answer until this is set


Route = Callable[[dict[str, str]], Reply]


class Upstream:
    """An HTTP server on 127.0.0.1 with a handler per path; it records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                upstream.requests.append((parts.path, query))
                route = upstream.routes.get(parts.path)
                reply = route(query) if route else Reply(404, b"no such route", "text/plain")
                if reply.wait is not None:
                    reply.wait.wait(timeout=30)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    if reply.cut_at is not None:
                        self.wfile.write(reply.body[: reply.cut_at])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def on(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def serve_sequence(self, path: str, replies: list[Reply]) -> None:
        """Answer path with these replies in turn, the last one from then on."""
        queue = list(replies)

        def route(query: dict[str, str]) -> Reply:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.on(path, route)

    def queries(self, path: str) -> list[dict[str, str]]:
        return [q for p, q in self.requests if p == path]

    def env(self) -> dict[str, str]:
        """Return the environment that points a paperwire process at this server."""
        return {
            "PAPERWIRE_ARXIV_API_URL": f"{self.base}/api/query",
            "PAPERWIRE_OAI_URL": f"{self.base}/oai",
            "PAPERWIRE_HF_URL": self.base,
            "PAPERWIRE_ARXIV_DELAY": "0.001",
            "PAPERWIRE_HF_DELAY": "0.001",
            "PAPERWIRE_INGEST_BACKOFF": "0.01",
            "PAPERWIRE_INGEST_RETRIES": "2",
        }


# --- Atom pages derived from the recorded ones ---------------------------------------------

ENTRY = re.compile(rb"<entry>.*?</entry>", re.DOTALL)


def atom_entries(name: str = "recorded-2026_q_testing_s0_m10_bc5a6c384fe9.body.xml") -> list[bytes]:
    """Return the <entry> elements of a recorded Atom feed."""
    return ENTRY.findall(fixture(name))


def restamp(entry: bytes, when: dt.datetime) -> bytes:
    """Return an entry whose <updated> (and <published>, when later) is `when`."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entry = re.sub(rb"<updated>[^<]*</updated>", b"<updated>" + stamp + b"</updated>", entry)
    return re.sub(rb"<published>[^<]*</published>", b"<published>" + stamp + b"</published>", entry)


def atom_feed(entries: list[bytes], total: int, start: int = 0) -> bytes:
    """Return an Atom feed (2026 layout) holding these entries."""
    head = (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        b'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        b"  <id>https://arxiv.org/api/test</id>\n  <title>arXiv Query</title>\n"
        b"  <updated>2026-04-12T22:10:19Z</updated>\n"
        + f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n".encode()
    )
    return head + b"\n".join(b"  " + e for e in entries) + b"\n</feed>\n"


def paged_atom(entries: list[bytes]) -> Route:
    """Serve entries as the API does: `start` and `max_results` pick the slice."""

    def route(q: dict[str, str]) -> Reply:
        start, size = int(q.get("start", 0)), int(q.get("max_results", 10))
        return Reply(body=atom_feed(entries[start : start + size], len(entries), start))

    return route


# --- OAI-PMH pages derived from the recorded ones ------------------------------------------

RECORD = re.compile(rb"<record>.*?</record>", re.DOTALL)
OAI_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<responseDate>2015-01-06T20:49:59Z</responseDate>\n'
    b'<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n'
)


def oai_records(copies: int = 4) -> list[bytes]:
    """Return the recorded arXivRaw records, plus copies under other (valid) ids: 6 per copy."""
    base = RECORD.findall(fixture("arXivRaw_ListRecords_2015_with-resumptionToken.xml"))
    out = list(base)
    for k in range(1, copies):
        out += [r.replace(b"0704.", f"{704 + k:04d}.".encode()) for r in base]
    return out


def record_id(record: bytes) -> str:
    m = re.search(rb"<identifier>oai:arXiv.org:([^<]+)</identifier>", record)
    assert m
    return m.group(1).decode()


def oai_page(records: list[bytes], token: str | None, size: int | None = None) -> bytes:
    """Return a ListRecords page; token None ends the list (an empty token, as arXiv sends)."""
    tail = (
        f'<resumptionToken completeListSize="{size}">{token}</resumptionToken>'
        if token
        else "<resumptionToken/>"
    )
    return (
        OAI_HEAD
        + b"<ListRecords>\n"
        + b"\n".join(records)
        + b"\n"
        + tail.encode()
        + b"\n</ListRecords>\n</OAI-PMH>\n"
    )


def paged_oai(
    records: list[bytes], per_page: int, *, override: Callable[[int], Reply | None] | None = None
) -> Route:
    """Serve records in pages chained by tokens `page-N`; `override(n)` may answer page n instead."""
    pages = [records[i : i + per_page] for i in range(0, len(records), per_page)]

    def route(q: dict[str, str]) -> Reply:
        token = q.get("resumptionToken", "")
        n = int(token.split("-")[1]) if token.startswith("page-") else 0
        if token and not token.startswith("page-"):
            return Reply(body=fixture("error_BadResumptionToken_2015.xml"), content_type="text/xml")
        if override is not None and (special := override(n)) is not None:
            return special
        nxt = f"page-{n + 1}" if n + 1 < len(pages) else None
        return Reply(body=oai_page(pages[n], nxt, len(records)), content_type="text/xml")

    return route


# --- a database that another process can use -------------------------------------------------


class ProcessDb:
    """The test database, reachable from a paperwire subprocess (a file on SQLite)."""

    def __init__(self, tmp: Path) -> None:
        from django.conf import settings

        db = settings.DATABASES["default"]
        self.sqlite = "sqlite" in db["ENGINE"]
        self.tmp = tmp
        if self.sqlite:
            self.path = tmp / "shared.sqlite3"
            url = f"sqlite:///{self.path}"
        else:
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            url = f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        (tmp / "procdata").mkdir(exist_ok=True)
        self.env = {"DATABASE_URL": url, "PAPERWIRE_DATA_DIR": str(tmp / "procdata")}
        if self.sqlite:
            self.run(["migrate", "-v0"], check=True)

    def command(self, args: list[str], extra: dict[str, str]) -> list[str]:
        return [sys.executable, "-m", "paperwire", *args]

    def popen(self, args: list[str], extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        env = {**os.environ, **self.env, **(extra or {})}
        return subprocess.Popen(
            self.command(args, {}),
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(
        self, args: list[str], extra: dict[str, str] | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env, **(extra or {})}
        done = subprocess.run(
            self.command(args, {}), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        if check and done.returncode:
            raise AssertionError(done.stdout + done.stderr)
        return done

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite:
            with sqlite3.connect(self.path) as con:
                return con.execute(sql).fetchall()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


@pytest.fixture
def upstream(settings: Any) -> Iterator[Upstream]:
    """Start the local arXiv / Hugging Face stand-in and point the settings at it."""
    server = Upstream()
    point_settings_at(server, settings)
    yield server
    server.close()


def run_ingest(source: str, *args: str) -> str:
    """Run `paperwire ingest SOURCE ARGS…` and return what it printed."""
    out = io.StringIO()
    call_command("ingest", source, *args, stdout=out)
    return out.getvalue()


def point_settings_at(upstream: Upstream, settings: Any) -> None:
    """Point this process's settings at the local server, with no pauses between requests."""
    settings.ARXIV_API_URL = f"{upstream.base}/api/query"
    settings.OAI_URL = f"{upstream.base}/oai"
    settings.HF_URL = upstream.base
    settings.ARXIV_DELAY = 0.0
    settings.HF_DELAY = 0.0
    settings.INGEST_BACKOFF = 0.0
    settings.INGEST_RETRIES = 2


def daily_arxiv(settings: Any) -> Upstream:
    """Return a local arXiv that the daily ingestion of one category (cs.SE) reads, due at once."""
    server = Upstream()
    point_settings_at(server, settings)
    settings.INGEST_SOURCES = ["arxiv"]
    settings.INGEST_CATEGORIES = ["cs.SE"]
    settings.INGEST_HOUR = 0
    return server


def fresh_feed(q: dict[str, str]) -> Reply:
    """Answer with the recorded entries restamped to the last hours (new to any watermark)."""
    now = dt.datetime.now(dt.UTC)
    entries = [restamp(e, now - dt.timedelta(hours=i + 1)) for i, e in enumerate(atom_entries())]
    return Reply(body=atom_feed(entries, len(entries)))
