"""Who holds a claimed row, and whether that holder is dead: one tag format for every claim.

Shared work (a day's ingestion, a batch of digest sends) is claimed by a conditional UPDATE that
writes the claimer's tag, host:pid:nonce[:batch]. A claim can be taken back when its heartbeat is
old (any host), or at once when the tag names a process on this host that no longer runs.
"""

from __future__ import annotations

import os
import socket
import uuid

HOST = socket.gethostname()
# Told apart from an earlier process that had the same pid (pids are reused after a restart).
_NONCE = uuid.uuid4().hex[:8]


def holder_id(batch: str = "") -> str:
    """Return this process's claim tag, host:pid:nonce, with :batch when one is given."""
    tag = f"{HOST}:{os.getpid()}:{_NONCE}"
    return f"{tag}:{batch}" if batch else tag


def holder_is_gone(tag: str) -> bool:
    """Return whether tag names a process on this host that no longer exists."""
    host, _, rest = tag.partition(":")
    pid_text, _, rest = rest.partition(":")
    nonce = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return False  # another machine's worker: only its heartbeat can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return nonce != _NONCE  # this pid, but an earlier process's claim
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's live process
    return False
