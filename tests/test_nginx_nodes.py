"""Through Debian's nginx on deploy/nginx.conf to two nodes on one database: the reader's
scheme and address arrive, and a vote through one node shows on the other's next page."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import json
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.ingest_fixtures import ProcessDb
from tests.nginx_fixtures import Nginx, free_port
from tests.search_fixtures import write_slice

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not IN_CI, reason="Debian's nginx is not installed"
)

EMAIL, PASSWORD = "proxied@example.org", "pw-proxied-reader-1"
MEMBER = (
    "from django.contrib.auth.models import User; from allauth.account.models import EmailAddress; "
    f"u = User.objects.create_user('proxied', '{EMAIL}', '{PASSWORD}'); "
    "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)"
)
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323  # our own self-signed certificate


class FromAddress(urllib.request.HTTPSHandler):
    """Connect from a loopback address of our choosing, so nginx sees readers apart."""

    def __init__(self, source: str) -> None:
        super().__init__(context=UNVERIFIED)
        self.source = source

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(http.client.HTTPSConnection, source_address=(self.source, 0))
        return self.do_open(connection, req, context=UNVERIFIED)  # type: ignore[arg-type]  # a partial of the class


class Reader:
    """A browser-like client of the site through nginx, from one loopback address."""

    def __init__(self, proxy: Nginx, source: str) -> None:
        self.base = proxy.https
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(FromAddress(source), cookies)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310  # https only
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def post(self, path: str, fields: dict[str, str]) -> int:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        # An HTTPS POST must name where it comes from (Django's CSRF check of Origin/Referer).
        headers = {"Origin": self.base, "Referer": self.base + "/"}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310  # https only
        with self.opener.open(request, timeout=30) as r:
            return int(r.status)


def direct(port: int, path: str) -> tuple[Any, bytes]:
    """GET path from one node itself, bypassing nginx (plain HTTP on loopback)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:  # noqa: S310  # loopback
        return r.headers, r.read()


def upvotes(body: bytes, arxiv_id: str) -> int:
    papers = {p["id"]: p for p in json.loads(body)["papers"]}
    return int(papers[arxiv_id]["upvotes"])


@pytest.fixture
def site(transactional_db: None, tmp_path: Path) -> Iterator[tuple[Nginx, list[int], ProcessDb]]:
    """Two `paperwire serve` nodes (own data dirs) behind nginx, with two papers and a member."""
    yield from _site(tmp_path)


def _site(tmp_path: Path) -> Iterator[tuple[Nginx, list[int], ProcessDb]]:
    db = ProcessDb(tmp_path)
    papers, _ = write_slice(tmp_path, 2)
    db.run(["import", str(papers)], check=True)
    db.run(["shell", "-c", MEMBER], check=True)
    ports = [free_port(), free_port()]
    proxy = Nginx(ports)
    env = {
        "PAPERWIRE_BASE_URL": "https://127.0.0.1",  # Secure cookies, HSTS, trust X-Forwarded-Proto
        "PAPERWIRE_TRUSTED_PROXY_COUNT": "1",
        # One key for all nodes, as /etc/paperwire/env gives them: each data dir's own generated
        # key would sign a member in on one node only (a session is checked against the key).
        "PAPERWIRE_SECRET_KEY": "nodes-test-" + "k" * 50,
        "PAPERWIRE_CSRF_TRUSTED_ORIGINS": proxy.https,  # nginx's $host drops this test's port
        "PAPERWIRE_RATE_LIMIT_SEARCH": "2/m",
    }
    nodes: list[subprocess.Popen[str]] = []
    try:
        for port in ports:
            data = tmp_path / f"node-{port}"
            data.mkdir()
            extra = {**env, "PAPERWIRE_DATA_DIR": str(data)}
            nodes.append(db.popen(["serve", "--no-jobs", "--workers", "1", "--port", str(port)], extra))
        for port, node in zip(ports, nodes, strict=True):
            deadline = time.monotonic() + 120
            while True:
                try:
                    direct(port, "/api/papers?limit=1")
                    break
                except OSError:
                    assert node.poll() is None and time.monotonic() < deadline, node.communicate()[0]
                    time.sleep(0.3)
        proxy.start()
        yield proxy, ports, db
    finally:
        proxy.stop()
        for node in nodes:
            node.terminate()
            node.communicate(timeout=60)


def test_the_readers_https_and_address_reach_the_nodes_through_nginx(
    site: tuple[Nginx, list[int], ProcessDb],
) -> None:
    proxy, ports, _ = site
    # Plain HTTP is only sent on to HTTPS.
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=30)
    connection.request("GET", "/papers/month/2024-01?sort=newest")
    answer = connection.getresponse()
    assert answer.status == 301
    assert answer.getheader("Location") == "https://127.0.0.1/papers/month/2024-01?sort=newest"
    # Over HTTPS the node knows the reader's scheme (X-Forwarded-Proto).
    status, headers, _ = Reader(proxy, "127.0.0.2").get("/api/papers?limit=1")
    assert status == 200
    assert headers["Link"].startswith("<https://127.0.0.1/api/papers?")  # built from X-Forwarded-Proto
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # sent on HTTPS requests only
    status, headers, _ = Reader(proxy, "127.0.0.2").get("/")
    cookies = headers.get_all("Set-Cookie")
    assert any(c.startswith("csrftoken=") and "Secure" in c for c in cookies), cookies
    # The same node asked directly over plain HTTP knows it is not HTTPS.
    plain, _ = direct(ports[0], "/api/papers?limit=1")
    assert plain["Link"].startswith(f"<http://127.0.0.1:{ports[0]}/api/papers?")
    assert "Strict-Transport-Security" not in plain
    # Each reader is limited by their own address (X-Forwarded-For), whatever they forward.
    search = "/api/v1/search?q=paper&mode=keyword"
    first, second = Reader(proxy, "127.0.0.2"), Reader(proxy, "127.0.0.3")
    assert [first.get(search)[0] for _ in range(2)] == [200, 200]
    assert first.get(search)[0] == 429
    forged = first.get(search, {"X-Forwarded-For": "198.51.100.7"})
    assert forged[0] == 429  # nginx appends the real address; the nodes read only that one
    assert second.get(search)[0] == 200  # every reader shares nginx's address, yet has their own limit


def test_a_vote_through_nginx_shows_on_both_nodes_next_anonymous_page(
    site: tuple[Nginx, list[int], ProcessDb],
) -> None:
    proxy, ports, _ = site
    front = "/?format=json"
    arxiv_id = json.loads(direct(ports[0], front)[1])["papers"][0]["id"]
    for port in ports:  # each node's page is in its cache
        direct(port, front)
        headers, body = direct(port, front)
        assert headers["X-Page-Cache"] == "hit"
        assert upvotes(body, arxiv_id) == 0
    member = Reader(proxy, "127.0.0.4")
    member.get("/accounts/login/")  # the CSRF cookie
    member.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    session = next((c.value for c in member.jar if c.name == "sessionid"), None)
    assert session is not None, "the log-in through nginx did not take"
    for port in ports:  # signed in on whichever node took the log-in, signed in on both
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{front}", headers={"Cookie": f"sessionid={session}"}
        )  # noqa: S310  # loopback
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310  # loopback
            assert "X-Page-Cache" not in r.headers, f"node {port} did not know the member"
    assert member.post(f"/papers/{arxiv_id}/vote", {"state": "on"}) == 200
    for port in ports:
        headers, body = direct(port, front)
        assert headers["X-Page-Cache"] == "miss"
        assert upvotes(body, arxiv_id) == 1
    anonymous = Reader(proxy, "127.0.0.5")
    for _ in range(4):  # least_conn spreads these over both nodes
        status, _, body = anonymous.get(front)
        assert status == 200 and upvotes(body, arxiv_id) == 1
