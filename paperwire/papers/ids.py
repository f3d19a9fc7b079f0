"""arXiv identifiers: parse ids and URLs into the versionless id and version."""

from __future__ import annotations

import re
from dataclasses import dataclass

# New style since 2007-04: YYMM.NNNN (to 2014-12) or YYMM.NNNNN (from 2015-01).
NEW_ID = re.compile(r"(?P<base>(?P<yymm>\d{2}(?:0[1-9]|1[0-2]))\.(?P<num>\d{4,5}))(?:v(?P<v>[1-9]\d{0,3}))?")
# Old style before 2007-04: archive[.SUBJ]/YYMMNNN, e.g. hep-th/9302046, math.AG/0201001.
OLD_ID = re.compile(
    r"(?P<base>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/(?P<yymm>\d{2}(?:0[1-9]|1[0-2]))\d{3})"
    r"(?:v(?P<v>[1-9]\d{0,3}))?"
)
URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE)


class InvalidArxivId(ValueError):
    """Raised for a string that is not an arXiv id or arXiv URL."""


@dataclass(frozen=True)
class ArxivId:
    id: str  # versionless, e.g. "2211.01095" or "hep-th/9302046"
    version: int | None  # None when the input named no version

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Return the versionless id and version named by an arXiv id or abs/pdf URL."""
    if not isinstance(text, str):
        raise InvalidArxivId("an arXiv id must be a string")
    raw = text.strip()
    if len(raw) > 200:
        raise InvalidArxivId("too long to be an arXiv id")
    s = URL_PREFIX.sub("", raw)
    if s.lower().startswith("arxiv:"):
        s = s[6:]
    s = s.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if s.endswith(".pdf"):
        s = s[:-4]
    # Old-style ids sometimes carry the subject class (math.AG/...); the id drops it.
    for pattern in (NEW_ID, OLD_ID):
        m = pattern.fullmatch(s)
        if m:
            base = m.group("base")
            if pattern is OLD_ID:
                archive, number = base.split("/")
                base = f"{archive.split('.')[0]}/{number}"
            if pattern is NEW_ID:
                # Five-digit numbers began in 2015 (1501); four before.
                # New-style ids began in 2007-04 (0704); 5-digit numbers in 2015 (1501).
                yymm, num = m.group("yymm"), m.group("num")
                if yymm < "0704" or (len(num) == 5) != (yymm >= "1501"):
                    raise InvalidArxivId(f"{raw[:80]!r} is not a valid arXiv id")
            v = m.group("v")
            return ArxivId(base, int(v) if v else None)
    raise InvalidArxivId(f"{raw[:80]!r} is not an arXiv id (expected e.g. 2211.01095 or hep-th/9302046)")


def is_arxiv_id(text: str) -> bool:
    """Return whether text is a versionless arXiv id in canonical form."""
    try:
        parsed = parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return parsed.version is None and parsed.id == text
