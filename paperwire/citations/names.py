"""Author names split into family and given parts, and citation keys built from them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Lower-case words that belong to the family name when they stand before it: "van der Waals".
PARTICLES = frozenset("van von der den de del della di da dos das du la le ter ten zu bin al el".split())
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Words skipped when a citation key takes the first word of the title.
STOPWORDS = frozenset("a an the on of in for to and with from by at via is are towards toward".split())


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    suffix: str = ""


def split_name(name: str) -> Name:
    """Split "First Middle van Last Jr." (or "Last, First") into family, given and suffix."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return Name(family.strip(), given.strip())
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Name(words[0], suffix=suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return Name(" ".join(words[start:]), " ".join(words[:start]), suffix)


def ascii_word(text: str) -> str:
    """Return text folded to lower-case ASCII letters and digits only (accents dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(authors: list[str], year: int | None, title: str, arxiv_id: str) -> str:
    """Return a key like vaswani2017attention_1706.03762: readable, and unique by its arXiv id.

    The key depends on the paper alone, so a paper keeps its key in every export; the arXiv id
    on the end keeps two papers with the same first author, year and title word apart.
    """
    family = ascii_word(split_name(authors[0]).family.split(" ")[-1]) if authors else ""
    words = [ascii_word(w) for w in re.sub(r"\$[^$]*\$", " ", title).split()]
    word = next((w for w in words if w and w not in STOPWORDS), "")
    return f"{family or 'anon'}{year or ''}{word}_{arxiv_id.replace('/', '-')}"
