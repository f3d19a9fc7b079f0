"""Two `paperwire serve` nodes side by side, each with its own data dir (index files), on one
database: what one node takes in, the other serves; the day's ingestion runs once."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_rows
from tests.ingest_fixtures import ProcessDb, Reply, Upstream, point_settings_at
from tests.search_fixtures import write_slice

from .digests_fixtures import free_port

INTERVAL = 1.0  # seconds between two passes of each node's worker
PASSES_WAIT = 60.0  # the most we wait for two passes on a loaded machine (each is well under a second idle)
MEMBER = "import sys; from django.contrib.auth.models import User; from allauth.account.models import EmailAddress; u = User.objects.create_user('nodereader', 'reader@example.org', 'pw-node-reader-1'); EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)"  # noqa: E501


class Node:
    """One `paperwire serve` process and a browser-like client of it (cookies, CSRF)."""

    def __init__(self, db: ProcessDb, data: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.data = data
        data.mkdir()
        self.env = {**env, "PAPERWIRE_DATA_DIR": str(data)}
        self.proc = db.popen(["serve", "--port", str(self.port), "--workers", "1"], self.env)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.opener.open(self.url("/api/v1/search?q=x"), timeout=5).read()
                return
            except OSError:
                assert self.proc.poll() is None, self.stop()
                time.sleep(0.3)
        raise AssertionError(f"node on port {self.port} never answered: {self.stop()}")

    def get_json(self, path: str) -> Any:
        with self.opener.open(self.url(path), timeout=30) as r:
            return json.loads(r.read())

    def post(self, path: str, fields: dict[str, str]) -> int:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        headers = {"X-CSRFToken": token or ""}
        request = urllib.request.Request(self.url(path), data=data, headers=headers)  # noqa: S310  # http only
        with self.opener.open(request, timeout=30) as r:
            return int(r.status)

    def log_in(self, email: str, password: str) -> None:
        self.opener.open(self.url("/accounts/login/"), timeout=30).read()  # sets the CSRF cookie
        self.post("/accounts/login/", {"login": email, "password": password})
        assert any(c.name == "sessionid" for c in self.jar), "the log-in did not take"

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.communicate(timeout=60)[0]


def found(node: Node, title: str) -> list[str]:
    """Return the ids /api/v1/search gives a node for a title (keyword mode: no model in the web worker)."""
    query = urllib.parse.urlencode({"q": title, "mode": "keyword", "limit": 5})
    return [r["id"] for r in node.get_json(f"/api/v1/search?{query}")["results"]]


def eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture
def upstream(settings: Any) -> Iterator[Upstream]:
    server = Upstream()
    point_settings_at(server, settings)
    # Today's and yesterday's Hugging Face lists are empty: the run is quick and needs no model.
    server.on("/api/daily_papers", lambda q: Reply(body=b"[]", content_type="application/json"))
    yield server
    server.close()


def test_two_nodes_serve_each_others_papers_votes_and_comments_and_ingest_once(
    upstream: Upstream, transactional_db: None, tmp_path: Path
) -> None:
    db = ProcessDb(tmp_path)
    env = {
        **upstream.env(),
        "PAPERWIRE_INGEST_SOURCES": "hf",
        "PAPERWIRE_INGEST_HOUR": "0",
        "PAPERWIRE_WORKER_INTERVAL": str(INTERVAL),
        "PAPERWIRE_EMAIL_URL": "locmem://",
    }
    one = Node(db, tmp_path / "node1", env)
    nodes = [one]
    try:
        one.wait_up()  # started one after the other: the first applies the migrations
        two = Node(db, tmp_path / "node2", env)
        nodes.append(two)
        two.wait_up()
        row = demo_rows(1)[0]
        assert found(one, row["title"]) == [] and found(two, row["title"]) == []

        papers, vectors = write_slice(tmp_path, 1)
        db.run(["import", str(papers), "--vectors", str(vectors)], one.env, check=True)
        for node in (one, two):
            assert eventually(lambda node=node: found(node, row["title"])[:1] == [row["id"]], PASSES_WAIT)
            assert list((node.data / "search").iterdir()), "each node keeps its own index files"

        db.run(["shell", "-c", MEMBER], one.env, check=True)
        one.log_in("reader@example.org", "pw-node-reader-1")
        assert one.post(f"/papers/{row['id']}/vote", {"state": "on"}) == 200
        assert one.post(f"/papers/{row['id']}/comments", {"body": "Seen from node one."}) == 200
        on_two = two.get_json(f"/papers/{row['id']}?format=json")
        assert (on_two["upvotes"], on_two["num_comments"]) == (1, 1)  # at once: one database
    finally:
        outputs = [node.stop() for node in nodes]
    today = dt.datetime.now(dt.UTC).date()
    runs = db.query("SELECT key, status, attempts FROM ingest_ingestrun")
    assert runs == [(f"daily:hf:{today}", "done", 1)], outputs
    # The winner asked for yesterday's and today's lists once each; the other node asked nothing.
    assert len(upstream.queries("/api/daily_papers")) == 2, upstream.requests
    assert sum("ingestion: hf done" in o for o in outputs) == 1, outputs
