"""Papers as citations: BibTeX, RIS and CSL-JSON, one paper or many."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import rispy

from paperwire.papers.models import Paper

from .names import Name, citation_key, split_name

DATACITE_PREFIX = "10.48550/arXiv."  # arXiv registers a DataCite DOI for every paper
CONTENT_TYPES = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csljson": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
EXTENSIONS = {"bibtex": "bib", "ris": "ris", "csljson": "csl.json"}


@dataclass(frozen=True)
class Cited:
    """What every citation format says about one paper."""

    paper: Paper
    key: str
    names: list[Name]
    issued: dt.date  # the first version's date, else the listing day
    url: str

    @property
    def doi(self) -> str:
        return DATACITE_PREFIX + self.paper.arxiv_id


def cited(paper: Paper) -> Cited:
    """Return the citation facts of a paper."""
    issued = paper.published or paper.listing_day
    key = citation_key(paper.authors, issued.year, paper.title, paper.arxiv_id)
    return Cited(paper, key, [split_name(a) for a in paper.authors], issued, paper.abs_url)


def _fold(text: str) -> str:
    return " ".join((text or "").split())


# Inline math ($…$ or $$…$$) goes into BibTeX as it is: it is already LaTeX.
MATH = re.compile(r"(?<!\\)(\$\$?)(?:\\.|[^$\\])+?(?<!\\)\1", re.S)
# Characters LaTeX reads as commands in text; escaped unless a backslash already precedes them.
TEXT_SPECIALS = re.compile(r"(?<!\\)([&%#_$])")


BRACES = re.compile(r"(?<!\\)[{}]")  # braces not escaped by a backslash


def _balanced(text: str) -> bool:
    depth = 0
    for ch in BRACES.findall(text):  # only the braces: a loop over every character cost ~1 ms an abstract
        depth += 1 if ch == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def tex(text: str) -> str:
    """Return text safe inside a BibTeX brace-delimited field: math and commands kept, specials escaped.

    arXiv metadata is written in TeX already ("$\\alpha$", "\\'e"), so backslashes stay; the
    characters that break a LaTeX run in text (& % # _ and a lone $) are escaped, and unbalanced
    braces, which would end the field early, are escaped too.
    """
    text = _fold(text)
    out, pos = [], 0
    for m in MATH.finditer(text):
        out.append(TEXT_SPECIALS.sub(r"\\\1", text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(TEXT_SPECIALS.sub(r"\\\1", text[pos:]))
    result = "".join(out)
    if not _balanced(result):
        result = re.sub(r"(?<!\\)([{}])", r"\\\1", result)
    return result


def bibtex_name(name: Name) -> str:
    """Return a name in BibTeX's "von Last, Jr, First" form."""
    parts = [tex(name.family)]
    if name.suffix:
        parts.append(tex(name.suffix))
    if name.given:
        parts.append(tex(name.given))
    return ", ".join(parts)


def bibtex_entry(c: Cited) -> str:
    """Return one @misc entry, as arXiv's own export writes it, with the DataCite DOI."""
    p = c.paper
    fields = [
        ("title", tex(p.title)),
        ("author", " and ".join(bibtex_name(n) for n in c.names)),
        ("year", str(c.issued.year)),
        ("month", c.issued.strftime("%b").lower()),
        ("eprint", p.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", p.primary_category),
        ("doi", c.doi),
        ("url", c.url),
        ("abstract", tex(p.abstract)),
    ]
    if p.journal_ref:
        fields.append(("note", tex(p.journal_ref)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def bibtex(papers: list[Paper]) -> str:
    """Return papers as a BibTeX file."""
    return "\n".join(bibtex_entry(cited(p)) for p in papers)


def ris_record(c: Cited) -> dict[str, Any]:
    """Return one RIS record as rispy's field names; UNPB (unpublished work) is RIS's preprint."""
    p = c.paper
    record: dict[str, Any] = {
        "type_of_reference": "UNPB",
        "id": c.key,
        "title": _fold(p.title),
        "authors": [", ".join(x for x in (n.family, n.given, n.suffix) if x) for n in c.names],
        "year": str(c.issued.year),
        "date": c.issued.strftime("%Y/%m/%d/"),
        "abstract": _fold(p.abstract),
        "publisher": "arXiv",
        "doi": c.doi,
        "urls": [c.url, p.pdf_url],
        "keywords": list(p.categories),
    }
    if p.journal_ref:
        record["notes"] = [_fold(p.journal_ref)]
    return record


class PlainRisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record, which RIS does not have."""

    def set_header(self, count: int) -> str:
        return ""


def ris(papers: list[Paper]) -> str:
    """Return papers as an RIS file."""
    return rispy.dumps([ris_record(cited(p)) for p in papers], implementation=PlainRisWriter)


def csl_item(c: Cited) -> dict[str, Any]:
    """Return one CSL-JSON item; "article" is CSL's type for a preprint, as Zotero writes it."""
    p = c.paper
    authors = []
    for n in c.names:
        person = {"family": n.family}
        if n.given:
            person["given"] = n.given
        if n.suffix:
            person["suffix"] = n.suffix
        authors.append(person)
    item: dict[str, Any] = {
        "id": c.key,
        "type": "article",
        "title": _fold(p.title),
        "author": authors,
        "issued": {"date-parts": [[c.issued.year, c.issued.month, c.issued.day]]},
        "abstract": _fold(p.abstract),
        "publisher": "arXiv",
        "number": f"arXiv:{p.arxiv_id}",
        "DOI": c.doi,
        "URL": c.url,
        "keyword": ", ".join(p.categories),
    }
    if p.journal_ref:
        item["note"] = _fold(p.journal_ref)
    return item


def csl_json(papers: list[Paper]) -> str:
    """Return papers as a CSL-JSON array."""
    return json.dumps([csl_item(cited(p)) for p in papers], ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bibtex": bibtex, "ris": ris, "csljson": csl_json}
