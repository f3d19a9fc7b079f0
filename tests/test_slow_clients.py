"""Slow clients against a real `paperwire serve`: half-open connections do not stop the site."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_cli import ROOT, free_port, run_env

HALF_OPEN = 4  # the probe needed two to stop the site (sync workers); one worker here, not two


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """Start `paperwire serve` with ONE web worker and no jobs; yield its port once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperwire", "serve", "--port", str(port), "--workers", "1", "--no-jobs"],
        cwd=ROOT,
        env=run_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "paperwire serve did not start"
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get(port: str | int, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    conn.request(method, path)
    return conn.getresponse()


def test_half_open_connections_do_not_stop_other_requests(server: int) -> None:
    assert get(server, "/about").status == 200
    stalled = []
    for _ in range(HALF_OPEN):
        # Tried (the probe): a request line and one header, then nothing, the socket kept open.
        s = socket.create_connection(("127.0.0.1", server))
        s.sendall(b"GET /about HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        stalled.append(s)
    silent = socket.create_connection(("127.0.0.1", server))  # connects and never sends a byte
    try:
        time.sleep(1)  # let the worker pick the stalled connections up
        started = time.monotonic()
        response = get(server, "/about")  # times out (10 s) if no thread is free
        assert response.status == 200 and b"paperwire" in response.read()
        assert time.monotonic() - started < 10
    finally:
        for s in [*stalled, silent]:
            s.close()


def test_head_through_the_real_server_has_headers_and_no_body(server: int) -> None:
    response = get(server, "/about", "HEAD")
    assert response.status == 200
    assert int(response.getheader("Content-Length", "0")) > 0
    assert response.read() == b""
