"""Fetch one paper from the arXiv query API (Atom) for a member's submission.

A small, self-contained client behind one function, fetch_paper(), so it can be swapped for
the shared arXiv client without touching the submission code.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import httpx
from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings

from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.records import PaperRecord, VersionInfo

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "paperwire (self-hosted daily-papers hub)"

_lock = threading.Lock()
_last_call = 0.0


class ArxivUnavailable(RuntimeError):
    """Raised when arXiv cannot be reached or answers with something that is not a feed."""


def _wait_turn() -> None:
    """Keep this process's calls to arXiv at least ARXIV_MIN_INTERVAL seconds apart."""
    global _last_call
    with _lock:
        pause = _last_call + settings.ARXIV_MIN_INTERVAL - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        _last_call = time.monotonic()


def _text(el: object, tag: str) -> str:
    found = el.find(tag)  # type: ignore[attr-defined]
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None
    except ValueError:
        return None


def parse_entry(entry: object) -> PaperRecord | None:
    """Return the record of one Atom <entry>, or None for an error entry or a foreign id."""
    raw_id = _text(entry, f"{ATOM}id")
    if "/api/errors" in raw_id:
        return None
    try:
        parsed = parse_arxiv_id(re.sub(r"^https?://arxiv\.org/abs/", "", raw_id))
    except InvalidArxivId:
        return None
    primary_el = entry.find(f"{ARXIV}primary_category")  # type: ignore[attr-defined]
    categories = [c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("term")]  # type: ignore[attr-defined]
    if primary_el is not None and primary_el.get("term"):
        primary = primary_el.get("term")
        categories = [primary] + [c for c in categories if c != primary]
    categories = list(dict.fromkeys(categories))
    published = _date(_text(entry, f"{ATOM}published"))
    updated = _date(_text(entry, f"{ATOM}updated"))
    latest = parsed.version or 1
    versions = [VersionInfo(1, published.isoformat() if published else None)]
    if latest > 1:
        versions.append(VersionInfo(latest, updated.isoformat() if updated else None))
    authors = [
        " ".join((a.findtext(f"{ATOM}name") or "").split())
        for a in entry.findall(f"{ATOM}author")  # type: ignore[attr-defined]
    ]
    return PaperRecord(
        arxiv_id=parsed.id,
        title=_text(entry, f"{ATOM}title"),
        abstract=_text(entry, f"{ATOM}summary"),
        authors=[a for a in authors if a],
        categories=categories,
        published=published,
        updated=updated,
        versions=versions,
        latest_version=latest,
        comments=_text(entry, f"{ARXIV}comment"),
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        doi=_text(entry, f"{ARXIV}doi"),
    )


def fetch_paper(arxiv_id: str) -> PaperRecord | None:
    """Return arXiv's record of one versionless id, or None when arXiv does not know it.

    Raises ArxivUnavailable when arXiv cannot be reached or answers garbage.
    """
    _wait_turn()
    params = {"id_list": arxiv_id, "start": "0", "max_results": "1"}
    try:
        response = httpx.get(
            settings.ARXIV_API_URL, params=params, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}
        )
    except httpx.HTTPError as e:
        raise ArxivUnavailable(f"arXiv could not be reached ({type(e).__name__})") from e
    if response.status_code == 400:
        return None  # arXiv's answer to an id it cannot parse
    if response.status_code != 200:
        raise ArxivUnavailable(f"arXiv answered HTTP {response.status_code}")
    try:
        feed = ElementTree.fromstring(response.content)
    except (ElementTree.ParseError, DefusedXmlException) as e:
        raise ArxivUnavailable("arXiv answered something that is not an Atom feed") from e
    for entry in feed.findall(f"{ATOM}entry"):
        record = parse_entry(entry)
        if record is not None and record.arxiv_id == arxiv_id:
            return record
    return None
