"""Template tags for citations: the Cite menu, Highwire meta tags, COinS spans, export links."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from django import template
from django.http import HttpRequest
from django.utils.html import format_html

from paperwire.citations.exports import LIST_FORMATS
from paperwire.citations.formats import bibtex, cited, csl_json, ris
from paperwire.papers.models import Paper

register = template.Library()

EXPORT_LABELS = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON", "md": "Markdown"}


@register.inclusion_tag("citations/_cite_menu.html")
def cite_menu(paper: Paper) -> dict[str, Any]:
    """Render the paper page's Cite menu: each format shown in full, with copy and download."""
    return {
        "paper": paper,
        "formats": [
            ("bibtex", "BibTeX", "bib", bibtex([paper])),
            ("ris", "RIS", "ris", ris([paper])),
            ("csljson", "CSL-JSON", "csl.json", csl_json([paper])),
        ],
    }


def highwire(paper: Paper) -> list[tuple[str, str]]:
    """Return the Highwire Press citation_* (name, content) pairs Zotero and Google Scholar read."""
    c = cited(paper)
    pairs = [("citation_title", " ".join(paper.title.split()))]
    for n in c.names:
        pairs.append(("citation_author", ", ".join(x for x in (n.family, n.given) if x)))
    day = c.issued.strftime("%Y/%m/%d")
    pairs += [
        ("citation_date", day),
        ("citation_publication_date", day),
        ("citation_online_date", (paper.updated or c.issued).strftime("%Y/%m/%d")),
        ("citation_publisher", "arXiv"),
        ("citation_arxiv_id", paper.arxiv_id),
        ("citation_doi", c.doi),
        ("citation_pdf_url", paper.pdf_url),
        ("citation_abstract_html_url", paper.abs_url),
        ("citation_abstract", " ".join(paper.abstract.split())),
    ]
    return pairs


@register.inclusion_tag("citations/_meta.html")
def citation_meta(paper: Paper) -> dict[str, Any]:
    """Render the paper page's Highwire meta tags and the Cite menu's stylesheet (both in <head>)."""
    return {"pairs": highwire(paper)}


def coins_title(paper: Paper) -> str:
    """Return the OpenURL ContextObject (Z39.88-2004) a COinS span carries for a paper."""
    c = cited(paper)
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", "preprint"),
        ("rft.atitle", " ".join(paper.title.split())),
        ("rft.jtitle", "arXiv"),
        ("rft.date", c.issued.isoformat()),
        ("rft_id", f"info:arxiv/{paper.arxiv_id}"),
        ("rft_id", f"info:doi/{c.doi}"),
        ("rft_id", paper.abs_url),
    ]
    if c.names:
        pairs += [("rft.aulast", c.names[0].family), ("rft.aufirst", c.names[0].given)]
    pairs += [("rft.au", a) for a in paper.authors]
    # urlencode's own result, quoting each name once per process: a list page's COinS spans
    # quoted every author of every paper (a third of a first-rendered card), names recur.
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs)


@lru_cache(maxsize=65536)
def _quoted(text: str) -> str:
    """Return text quoted as urlencode quotes a query value (quote_plus, nothing kept safe)."""
    return quote_plus(text)


@register.simple_tag
def coins(paper: Paper) -> str:
    """Render a paper's COinS span (empty, so browsers show nothing; Zotero reads its title)."""
    return format_html('<span class="Z3988" title="{}"></span>', coins_title(paper))


@register.inclusion_tag("citations/_export_links.html", takes_context=True)
def export_links(context: dict[str, Any]) -> dict[str, Any]:
    """Render links to this list page in every export format, keeping its query but the page."""
    request: HttpRequest = context["request"]
    links = []
    for fmt in LIST_FORMATS:
        query = request.GET.copy()
        query.pop("page", None)
        query["format"] = fmt
        links.append((EXPORT_LABELS[fmt], f"{request.path}?{query.urlencode()}"))
    return {"links": links}
