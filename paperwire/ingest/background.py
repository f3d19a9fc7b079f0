"""Background jobs started beside the web server: the daily ingestion, as a child process."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys


def start_background_jobs() -> subprocess.Popen[bytes] | None:
    """Start `paperwire worker` beside the web server; it stops when the server does."""
    starter = os.getpid()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperwire", "worker", "--parent-pid", str(os.getpid())],
        env={**os.environ},
    )

    def stop() -> None:
        # Forked web workers inherit this hook; only the process that started the worker stops it.
        if os.getpid() == starter and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc
