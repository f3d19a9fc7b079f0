"""Fetch one paper from the arXiv query API for a member's submission, through the shared client."""

from __future__ import annotations

import threading
import time

from django.conf import settings

from paperwire.ingest.arxiv import ArxivApiError, fetch_page
from paperwire.ingest.client import IngestError, PoliteClient
from paperwire.ingest.hooks import Hooks
from paperwire.papers.records import PaperRecord

# A member is waiting on the page: one quick retry, then say arXiv is unavailable.
RETRIES = 1
BACKOFF = 1.0  # seconds before that retry
TIMEOUT = 20.0  # seconds before arXiv counts as unreachable

_lock = threading.Lock()
_last_call = 0.0


class ArxivUnavailable(RuntimeError):
    """Raised when arXiv cannot be reached or answers with something that is not a feed."""


def _wait_turn() -> None:
    """Keep this process's calls to arXiv at least ARXIV_DELAY seconds apart."""
    global _last_call
    with _lock:
        pause = _last_call + settings.ARXIV_DELAY - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        _last_call = time.monotonic()


def fetch_paper(arxiv_id: str) -> PaperRecord | None:
    """Return arXiv's record of one versionless id, or None when arXiv does not know it.

    Raises ArxivUnavailable when arXiv cannot be reached or answers garbage.
    """
    _wait_turn()
    params: dict[str, object] = {"id_list": arxiv_id, "start": 0, "max_results": 1}
    try:
        with PoliteClient(retries=RETRIES, backoff=BACKOFF, timeout=TIMEOUT) as client:
            _, atom = fetch_page(client, params, Hooks())
    except ArxivApiError:
        return None  # arXiv's own answer: it cannot read this id
    except IngestError as e:
        raise ArxivUnavailable(f"arXiv could not be reached or answered garbage: {e}") from e
    for entry in atom.entries:
        if entry.record is not None and entry.record.arxiv_id == arxiv_id:
            return entry.record
    return None
