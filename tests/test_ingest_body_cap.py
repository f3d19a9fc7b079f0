"""The ingest HTTP client stops reading an upstream body once it passes the cap."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from paperwire.ingest.client import FetchError, PoliteClient

CAP = 1024 * 1024  # 1 MiB for the test; the real cap is 64 MiB
ENDLESS = 512 * 1024 * 1024  # what the hostile server would send if it were let: 512 MiB
CHUNK = 64 * 1024


@pytest.fixture
def hostile() -> Iterator[dict[str, Any]]:
    """Serve /endless (chunked, no length) and /announced (a huge Content-Length); count bytes sent."""
    sent = {"bytes": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if self.path.startswith("/announced"):
                self.send_header("Content-Length", str(ENDLESS))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b"x" * CHUNK
            try:
                while sent["bytes"] < ENDLESS:
                    if self.path.startswith("/announced"):
                        self.wfile.write(block)
                    else:
                        self.wfile.write(f"{CHUNK:x}\r\n".encode() + block + b"\r\n")
                    sent["bytes"] += CHUNK
            except OSError:
                pass  # the client hung up, as it should

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "sent": sent}
    finally:
        server.shutdown()
        server.server_close()


def test_an_endless_body_is_cut_off_soon_after_the_cap(hostile: dict[str, Any]) -> None:
    # Tried: an upstream answer that never ends; the client used to read it all, then check.
    with PoliteClient(retries=0, timeout=10, max_body=CAP) as client:
        with pytest.raises(FetchError, match="more than any page should have"):
            client.get(hostile["url"] + "/endless")
    time.sleep(0.2)
    assert hostile["sent"]["bytes"] < 64 * CAP, "the client kept reading far past its cap"


def test_a_body_announced_larger_than_the_cap_is_refused_before_it_is_read(hostile: dict[str, Any]) -> None:
    with PoliteClient(retries=0, timeout=10, max_body=CAP) as client:
        with pytest.raises(FetchError, match="announced"):
            client.get(hostile["url"] + "/announced")
