"""Reference managers pick papers up by themselves: Highwire meta tags and COinS spans."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest
from django.test import Client

from paperwire.papers.models import Paper

from .community_data import make_paper
from .conftest import demo_rows

pytestmark = pytest.mark.django_db

# What Zotero's "Embedded Metadata" translator reads (HIGHWIRE_MAPPINGS and addHighwireMetadata):
# the first <meta> in <head> whose name ends with each key fills that Zotero field; every
# citation_author is one creator ("Last, First" is split at the comma); the first
# citation_pdf_url becomes the "Full Text PDF" attachment.
ZOTERO_FIELDS = {
    "citation_title": "title",
    "citation_date": "date",
    "citation_publisher": "publisher",
    "citation_abstract": "abstractNote",
    "citation_doi": "DOI",
}


class Head(HTMLParser):
    """Collect the (name, content) of every <meta> inside <head>, and COinS spans in <body>."""

    def __init__(self) -> None:
        super().__init__()
        self.in_head = False
        self.meta: list[tuple[str, str]] = []
        self.coins: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and self.in_head and a.get("name"):
            self.meta.append((a["name"] or "", a.get("content") or ""))
        elif tag == "span" and a.get("class") == "Z3988":
            self.coins.append(a.get("title") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def read(html: str) -> Head:
    parser = Head()
    parser.feed(html)
    return parser


def zotero_item(meta: list[tuple[str, str]]) -> dict[str, object]:
    """Read meta tags the way the Embedded Metadata translator does."""
    item: dict[str, object] = {}
    for key, field in ZOTERO_FIELDS.items():
        value = next((v for n, v in meta if n.endswith(key)), "")
        if value.strip():
            item[field] = " ".join(value.split())
    item["creators"] = [
        tuple(part.strip() for part in v.split(",", 1)) for n, v in meta if n.endswith("citation_author")
    ]
    item["pdf"] = next((v for n, v in meta if n.endswith("citation_pdf_url")), None)
    return item


def test_the_paper_page_carries_highwire_tags_that_zotero_reads(client: Client) -> None:
    paper = make_paper(
        "2606.04321",
        title="Attention  is\nall you need & more",
        abstract="Line one\nline two with $x^2$.",
        authors=["Ashish Vaswani", "Ludwig van Beethoven", "Plato"],
        published=dt.date(2026, 6, 3),
        updated=dt.date(2026, 6, 20),
    )
    meta = read(client.get(f"/papers/{paper.arxiv_id}").content.decode()).meta
    tags = dict(meta)
    assert tags["citation_title"] == "Attention is all you need & more"
    assert [v for n, v in meta if n == "citation_author"] == [
        "Vaswani, Ashish",
        "van Beethoven, Ludwig",
        "Plato",
    ]
    assert tags["citation_publication_date"] == tags["citation_date"] == "2026/06/03"
    assert tags["citation_online_date"] == "2026/06/20"
    assert tags["citation_arxiv_id"] == "2606.04321"
    assert tags["citation_pdf_url"] == "https://arxiv.org/pdf/2606.04321"
    assert tags["citation_abstract"] == "Line one line two with $x^2$."
    assert zotero_item(meta) == {
        "title": "Attention is all you need & more",
        "date": "2026/06/03",
        "publisher": "arXiv",
        "abstractNote": "Line one line two with $x^2$.",
        "DOI": "10.48550/arXiv.2606.04321",
        "creators": [("Vaswani", "Ashish"), ("van Beethoven", "Ludwig"), ("Plato",)],
        "pdf": "https://arxiv.org/pdf/2606.04321",
    }


def test_each_paper_on_a_list_page_has_a_coins_span(client: Client, demo_papers: int) -> None:
    day = max(Counter(r["announced"] for r in demo_rows()))
    page = read(client.get(f"/papers/date/{day}").content.decode())
    shown = client.get(f"/papers/date/{day}?format=json").json()["papers"]
    assert len(page.coins) == len(shown) == 30
    first = parse_qs(page.coins[0])
    paper = Paper.objects.get(arxiv_id=shown[0]["id"])
    assert first["ctx_ver"] == ["Z39.88-2004"]
    assert first["rft.atitle"] == [" ".join(paper.title.split())]
    assert first["rft.au"] == paper.authors
    assert f"info:arxiv/{paper.arxiv_id}" in first["rft_id"]
    assert f"info:doi/10.48550/arXiv.{paper.arxiv_id}" in first["rft_id"]
