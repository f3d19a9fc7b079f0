"""The search box's little language, parsed by hand so no user string reaches a query parser.

    diffusion "consistency model" -video author:"Song" cat:cs.CV after:2025-06-01 date:2026-06

Words and quoted phrases are searched; `-word` excludes; `author:`, `cat:` (a category such as
cs.CV or a whole archive such as cs), `after:`, `before:` and `date:` (YYYY, YYYY-MM,
YYYY-MM-DD or A..B) filter. Anything else — stray quotes, `*`, `(`, `NEAR(`, control
characters — is only text: it is split into words and never interpreted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000  # a longer string is cut: no title or description needs more
MAX_WORDS = 64  # words searched from one query; more only slows the search down
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"|(\S+))')
FILTERS = {"author", "cat", "category", "after", "before", "date", "from", "to"}


class BadDate(ValueError):
    """A date filter that is not a date."""


@dataclass
class ParsedQuery:
    raw: str  # the cleaned string (control characters removed, length capped)
    text: str = ""  # the free text, for the vector search and highlighting
    words: list[str] = field(default_factory=list)  # free words (unanalysed)
    phrases: list[str] = field(default_factory=list)  # quoted phrases, must match
    excluded: list[str] = field(default_factory=list)  # -word, -"phrase"
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.categories or self.date_from or self.date_to or self.excluded)


def clean(text: str) -> str:
    """Return text without control characters, whitespace folded, cut at MAX_QUERY_CHARS."""
    return " ".join(CONTROL.sub(" ", text or "").split())[:MAX_QUERY_CHARS]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def date_span(value: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day named by YYYY, YYYY-MM or YYYY-MM-DD."""
    try:
        if re.fullmatch(r"\d{4}", value):
            y = int(value)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            y, m = map(int, value.split("-"))
            return dt.date(y, m, 1), _month_end(y, m)
        day = dt.date.fromisoformat(value)
        return day, day
    except ValueError:
        raise BadDate(f"not a date: {value[:20]!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def _apply_filter(q: ParsedQuery, key: str, value: str) -> bool:
    """Apply one key:value filter; return False when it is not a filter after all."""
    key = key.lower()
    try:
        if key == "author":
            q.authors.append(value)
        elif key in ("cat", "category"):
            q.categories.append(value)
        elif key in ("after", "from"):
            q.date_from = date_span(value)[0]
        elif key in ("before", "to"):
            q.date_to = date_span(value)[1]
        elif key == "date":
            a, _, b = value.partition("..")
            q.date_from = date_span(a)[0] if a else None
            q.date_to = date_span(b or a)[1] if (b or a) else None
        else:
            return False
    except BadDate:
        return False  # a malformed date is searched as text, never an error
    return True


def parse(text: str) -> ParsedQuery:
    """Return the parsed form of a search string; never raises."""
    raw = clean(text)
    q = ParsedQuery(raw=raw)
    free: list[str] = []
    for m in TOKEN.finditer(raw):
        neg, key, phrase, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        value = phrase if phrase is not None else bare
        if key and key.lower() in FILTERS and value and not neg:
            if _apply_filter(q, key, value.strip()):
                continue
        if key:  # an unknown key (or a filter with a bad value) is just more words
            value = f"{key} {value}"
        value = value.strip()
        if not value:
            continue
        if neg:
            q.excluded.append(value)
        elif phrase is not None and len(value.split()) > 1:
            q.phrases.append(value)
            free.append(value)
        else:
            q.words.append(value)
            free.append(value)
    q.words = q.words[:MAX_WORDS]
    q.text = " ".join(free)
    return q
