"""The background worker started beside the web server, as a child process."""

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
                # A pass in the middle of a long step (embedding) is cut short; the next pass
                # of any node redoes what it had not stored.
                proc.kill()
                proc.wait(timeout=10)  # reap it: no zombie left behind

    atexit.register(stop)
    return proc
