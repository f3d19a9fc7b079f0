"""A small concurrent HTTP client for when Debian's wrk is missing: N threads, keep-alive."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit

from _setup import percentile


def run_clients(url: str, clients: int, seconds: int) -> str:
    """Return requests/s and p50/p99 latency of clients readers fetching url for seconds."""
    parts = urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def reader() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", parts.path or "/")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=reader) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (
        f"Requests/sec {len(latencies) / seconds:.0f}; 50% {percentile(latencies, 50):.0f}ms; "
        f"99% {percentile(latencies, 99):.0f}ms; errors {errors[0]} (Python client)"
    )
