"""Citations out: one paper and whole lists as BibTeX, RIS and CSL-JSON, read back by real parsers."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.test import Client

from paperwire.papers.models import Paper

from .community_data import make_paper
from .conftest import demo_rows
from .search_fixtures import import_slice

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl-data.schema.json").read_text())
TRICKY_TITLE = "Q&A over 50% of $\\alpha_1$ data_sets: #1 {braces} and a lone } too"


@pytest.fixture
def tricky(db: None) -> Paper:
    """A paper whose title and names carry every character BibTeX and names trip over."""
    return make_paper(
        "2606.01234",
        title=TRICKY_TITLE,
        abstract="We prove $O(n \\log n)$ bounds.\nSecond line & more.",
        authors=["Ludwig van Beethoven", "Sören Berlinger", "Martin Luther King Jr.", "Plato"],
        categories=["cs.LG", "stat.ML"],
        primary_category="cs.LG",
        published=dt.date(2026, 6, 3),
        journal_ref="Nature 1, 2 (2026)",
    )


def parse_bibtex(text: str) -> Any:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def check_csl(items: list[dict[str, Any]]) -> list[str]:
    """Validate CSL-JSON against the schema and render each item with citeproc-py; return the texts."""
    jsonschema.validate(items, SCHEMA)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bib.bibliography()]


def test_a_papers_bibtex_is_an_arxiv_misc_entry_that_bibtexparser_reads(
    client: Client, tricky: Paper
) -> None:
    response = client.get("/papers/2606.01234.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library = parse_bibtex(response.content.decode())
    [entry] = library.entries
    assert entry.entry_type == "misc"
    assert entry.key == "beethoven2026qa_2606.01234"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["eprint"] == "2606.01234"
    assert fields["archivePrefix"] == "arXiv"
    assert fields["primaryClass"] == "cs.LG"
    assert fields["doi"] == "10.48550/arXiv.2606.01234"
    assert fields["year"] == "2026" and fields["month"] == "jun"
    assert fields["url"] == "https://arxiv.org/abs/2606.01234"
    assert fields["note"] == "Nature 1, 2 (2026)"
    # Specials outside math are escaped, the math is kept, and the stray brace cannot end the field.
    assert fields["title"] == (
        "Q\\&A over 50\\% of $\\alpha_1$ data\\_sets: \\#1 \\{braces\\} and a lone \\} too"
    )
    assert fields["abstract"] == "We prove $O(n \\log n)$ bounds. Second line \\& more."
    names = [(n.von, n.last, n.jr, n.first) for n in fields["author"]]
    assert names == [
        (["van"], ["Beethoven"], [], ["Ludwig"]),
        ([], ["Berlinger"], [], ["Sören"]),
        ([], ["King"], ["Jr."], ["Martin", "Luther"]),
        ([], ["Plato"], [], []),
    ]


def test_a_papers_ris_is_a_preprint_record_that_rispy_reads(client: Client, tricky: Paper) -> None:
    response = client.get("/papers/2606.01234.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response.content.startswith(b"TY  - UNPB\n")  # no record-number line before the tag
    [record] = rispy.loads(response.content.decode())
    assert record["type_of_reference"] == "UNPB"
    assert record["title"] == TRICKY_TITLE
    assert record["authors"] == [
        "van Beethoven, Ludwig",
        "Berlinger, Sören",
        "King, Martin Luther, Jr.",
        "Plato",
    ]
    assert record["date"] == "2026/06/03/" and record["year"] == "2026"
    assert record["doi"] == "10.48550/arXiv.2606.01234"
    assert record["urls"] == ["https://arxiv.org/abs/2606.01234", "https://arxiv.org/pdf/2606.01234"]
    assert record["keywords"] == ["cs.LG", "stat.ML"]
    assert record["abstract"].startswith("We prove $O(n \\log n)$ bounds. Second line")


def test_a_papers_csl_json_is_valid_and_citeproc_renders_it(client: Client, tricky: Paper) -> None:
    response = client.get("/papers/2606.01234.csl.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    [item] = items
    assert item["type"] == "article" and item["id"] == "beethoven2026qa_2606.01234"
    assert item["author"][0] == {"family": "van Beethoven", "given": "Ludwig"}
    assert item["author"][2] == {"family": "King", "given": "Martin Luther", "suffix": "Jr."}
    assert item["issued"] == {"date-parts": [[2026, 6, 3]]}
    assert item["DOI"] == "10.48550/arXiv.2606.01234" and item["number"] == "arXiv:2606.01234"
    [text] = check_csl(items)
    assert "Beethoven" in text and "2026" in text and "Q&A over 50%" in text


def test_an_old_style_id_and_a_versioned_id_work_and_unknown_papers_are_404(client: Client) -> None:
    make_paper("hep-th/9302046", title="Old style", authors=["A. Person"], published=dt.date(1993, 2, 9))
    response = client.get("/papers/hep-th/9302046.bib")
    assert response.status_code == 200
    [entry] = parse_bibtex(response.content.decode()).entries
    assert entry.key == "person1993old_hep-th-9302046"
    assert response["Content-Disposition"] == 'inline; filename="hep-th-9302046.bib"'
    assert client.get("/papers/hep-th/9302046v2.ris").url == "/papers/hep-th/9302046.ris"
    assert client.get("/papers/2606.99999.bib").status_code == 404
    Paper.objects.filter(arxiv_id="hep-th/9302046").update(hidden=True)
    assert client.get("/papers/hep-th/9302046.csl.json").status_code == 404


def test_the_paper_page_has_a_cite_menu_that_shows_each_format_and_works_without_javascript(
    client: Client, tricky: Paper
) -> None:
    html = client.get("/papers/2606.01234").content.decode()
    assert '<details class="cite-menu" id="cite">' in html
    for ext in ("bib", "ris", "csl.json", "md"):
        assert f'href="/papers/2606.01234.{ext}"' in html
    # The texts sit in <pre> blocks (escaped); the copy buttons start hidden until the script runs.
    assert '<pre id="cite-bibtex" tabindex="0">@misc{beethoven2026qa_2606.01234,' in html
    assert "Q\\&amp;A over 50\\% of" in html
    assert html.count('class="btn small cite-copy" data-copy=') == 3
    assert html.count("data-copy=") == html.count(" hidden>Copy</button>")


@pytest.fixture(scope="module")
def days() -> Counter[str]:
    return Counter(r["announced"] for r in demo_rows())


def test_a_day_exports_all_its_papers_in_every_format_with_unique_stable_keys(
    client: Client, demo_papers: int, days: Counter[str]
) -> None:
    day = max(days)
    assert days[day] > 30  # more than one page
    bib = client.get(f"/papers/date/{day}?format=bibtex")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert bib["X-Export-Count"] == str(days[day])
    entries = parse_bibtex(bib.content.decode()).entries
    keys = [e.key for e in entries]
    assert len(keys) == days[day] == len(set(keys))
    records = rispy.loads(client.get(f"/papers/date/{day}?format=ris").content.decode())
    assert len(records) == days[day]
    items = json.loads(client.get(f"/papers/date/{day}?format=csljson").content)
    assert [i["id"] for i in items] == keys  # the same order and keys in every format
    assert len(check_csl(items)) == days[day]
    # A paper keeps its key in the week's export and in its own file.
    week = dt.date.fromisoformat(day).isocalendar()
    week_items = json.loads(client.get(f"/papers/week/{week.year}-W{week.week:02d}?format=csljson").content)
    assert set(keys) <= {i["id"] for i in week_items}
    one = entries[7]
    arxiv_id = one.fields_dict["eprint"].value
    assert parse_bibtex(client.get(f"/papers/{arxiv_id}.bib").content.decode()).entries[0].key == one.key


def test_a_month_export_follows_the_category_and_sort_and_stops_at_the_cap(
    client: Client, demo_papers: int, days: Counter[str], settings: Any
) -> None:
    month = max(days)[:7]
    newest = json.loads(client.get(f"/papers/month/{month}?format=json&sort=newest&category=cs.LG").content)
    items = json.loads(client.get(f"/papers/month/{month}?format=csljson&sort=newest&category=cs.LG").content)
    assert [i["number"] for i in items][:30] == [f"arXiv:{p['id']}" for p in newest["papers"]]
    assert len(items) == newest["total"]
    settings.EXPORT_MAX_PAPERS = 5
    capped = client.get(f"/papers/month/{month}?format=ris&sort=newest&category=cs.LG")
    assert capped["X-Export-Count"] == "5" and capped["X-Export-Limit"] == "5"
    assert [r["id"] for r in rispy.loads(capped.content.decode())] == [i["id"] for i in items[:5]]


def test_search_results_export_every_hit_not_just_the_first_page(client: Client, tmp_path: Path) -> None:
    import_slice(tmp_path, 200, vectors=False)
    page = client.get("/search?q=learning&mode=keyword&format=json").json()
    assert page["total"] > 30
    items = json.loads(client.get("/search?q=learning&mode=keyword&format=csljson").content)
    assert len(items) == page["total"]
    first = [f"arXiv:{r['id']}" for r in page["results"]]
    assert [i["number"] for i in items[: len(first)]] == first
    jsonschema.validate(items, SCHEMA)


def test_list_pages_link_their_exports_keeping_the_query(
    client: Client, demo_papers: int, days: Counter[str]
) -> None:
    html = client.get(f"/papers/date/{max(days)}?sort=newest&page=2").content.decode()
    assert f'href="/papers/date/{max(days)}?sort=newest&amp;format=bibtex"' in html
    assert "format=md" in html and "format=ris" in html and "format=csljson" in html
