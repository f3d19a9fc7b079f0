"""Search: keyword + vector hybrid, filters, pins, hostile strings, index upkeep, pages and API."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from paperwire.papers.models import Paper
from paperwire.search import engine
from paperwire.search.models import PaperVector
from paperwire.search.store import keyword_path, readers, update_indexes, vector_path
from tests.accessibility import assert_accessible
from tests.conftest import demo_rows
from tests.search_fixtures import DEMO_VECTORS, import_slice, write_slice

N = 300  # papers in the fixture: real demo papers with their shipped vectors

HOSTILE = [
    '"',
    '""',
    '"unbalanced phrase',
    "*",
    "**:**",
    ":",
    "title:",
    "author:",
    "cat:",
    "(",
    ")",
    "((a OR b",
    "NEAR(diffusion model",
    "a AND OR NOT b",
    "-",
    "--",
    '-"',
    "\\",
    '\\"',
    "'; DROP TABLE papers; --",
    "x" * 10_000,
    "word " * 2_000,
    "\x00\x01\x02 diffusion \x1b[31m",
    "\u202e\ufeff",
    "date:2025-13-45",
    "after:yesterday",
    "before:",
    "cat:cs.CV*",
    "title:(a",
    "^3 ~2 +a",
    "<script>alert(1)</script>",
    "🙂 emoji",
    "{!field}",
    "[1 TO 5]",
    'author:"',
    "-author:x",
    "a:b:c:d",
]


@pytest.fixture
def papers(db: None, tmp_path: Path) -> list[dict[str, Any]]:
    import_slice(tmp_path, N)
    return demo_rows(N)


def ids(page: engine.SearchPage) -> list[str]:
    return [h.paper.arxiv_id for h in page.hits]


def test_it_finds_a_paper_by_its_title_first_and_pins_it(papers: list[dict[str, Any]]) -> None:
    target = papers[42]
    page = engine.search(target["title"], limit=5)
    assert ids(page)[0] == target["id"]
    assert page.hits[0].scores.pinned
    assert page.vectors_used


def test_it_pins_an_exact_arxiv_id_first(papers: list[dict[str, Any]]) -> None:
    for text in (papers[7]["id"], f"arXiv:{papers[7]['id']}v2", f"https://arxiv.org/abs/{papers[7]['id']}"):
        page = engine.search(text, limit=3)
        assert ids(page)[0] == papers[7]["id"], text
        assert page.hits[0].scores.pinned


def test_it_finds_papers_by_meaning_without_their_words(papers: list[dict[str, Any]]) -> None:
    target = papers[0]  # fracture propagation in porous media (coupled XFEM-EDFM model)
    page = engine.search(
        "simulating cracks spreading through rock saturated with fluid", mode="vector", limit=10
    )
    assert target["id"] in ids(page)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_strings_give_results_or_nothing_never_an_error(papers: Any, text: str) -> None:
    for mode in engine.MODES:
        page = engine.search(text, mode=mode, limit=5)
        assert len(page.hits) <= 5 and page.total >= len(page.hits), mode
    client = Client()
    expected = 400 if "\x00" in text else 200  # a NUL byte is refused before any query
    assert client.get("/search", {"q": text}).status_code == expected
    assert client.get("/api/papers/search", {"q": text}).status_code == expected
    assert client.get("/api/v1/search", {"q": text, "mode": "keyword"}).status_code == expected


def test_filters_apply_to_both_lists(papers: list[dict[str, Any]]) -> None:
    cat = papers[3]["categories"][0]
    for mode in engine.MODES:
        page = engine.search(f"learning cat:{cat}", mode=mode, limit=50)
        assert page.hits, mode
        assert all(cat in h.paper.categories for h in page.hits), mode
    day = Paper.objects.order_by("listing_day").values_list("listing_day", flat=True)[N // 2]
    for mode in engine.MODES:
        page = engine.search("model", mode=mode, date_from=day, date_to=day, limit=50)
        assert page.hits and all(h.paper.listing_day == day for h in page.hits), mode
    surname = papers[5]["authors"][0].split()[-1]
    page = engine.search(f'author:"{surname}"', limit=50)
    assert papers[5]["id"] in ids(page)
    assert all(any(surname.lower() in a.lower() for a in h.paper.authors) for h in page.hits)


def test_excluded_words_and_phrases_are_honoured(papers: Any) -> None:
    page = engine.search("language models -agent", mode="hybrid", limit=50)
    assert page.hits
    for h in page.hits:
        text = f"{h.paper.title} {h.paper.abstract}".lower()
        assert "agent " not in text and "agent." not in text and "agent," not in text
    page = engine.search('"language model"', mode="keyword", limit=50)
    assert page.hits and all(
        "language model" in f"{h.paper.title} {h.paper.abstract}".lower() for h in page.hits
    )


def test_sorts_order_the_results(papers: Any) -> None:
    page = engine.search("neural network", sort="newest", limit=50)
    days = [h.paper.listing_day for h in page.hits]
    assert days == sorted(days, reverse=True)
    Paper.objects.filter(arxiv_id=papers[9]["id"]).update(hf_upvotes=500)
    page = engine.search(papers[9]["title"].split(":")[0] + " model", sort="trending", limit=50)
    assert ids(page)[0] == papers[9]["id"]


def test_search_works_on_keywords_alone_when_no_vector_exists(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, 50, vectors=False)
    rows = demo_rows(50)
    assert not PaperVector.objects.exists()
    page = engine.search(rows[10]["title"], limit=5)
    assert ids(page)[0] == rows[10]["id"]
    assert not page.vectors_used
    assert engine.search("anything at all", mode="vector").hits == []
    assert Client().get(f"/papers/{rows[10]['id']}").status_code == 200  # similar papers by title words


def test_a_hidden_paper_is_never_found(papers: list[dict[str, Any]]) -> None:
    Paper.objects.filter(arxiv_id=papers[11]["id"]).update(hidden=True)
    assert papers[11]["id"] not in ids(engine.search(papers[11]["title"], limit=10))


def test_a_paper_added_or_updated_is_findable_after_the_index_job(papers: Any, tmp_path: Path) -> None:
    from paperwire.papers.importer import import_files
    from tests.conftest import write_jsonl

    new = {**demo_rows(N + 1)[N]}
    new["title"] = "Zyxwvutsr quasicrystal lattices for origami robots"
    write_jsonl(tmp_path / "one.jsonl", [new])
    import_files([tmp_path / "one.jsonl"])
    assert new["id"] not in ids(engine.search("zyxwvutsr", mode="keyword"))
    call_command("index", stdout=io.StringIO())
    assert ids(engine.search("zyxwvutsr", mode="keyword")) == [new["id"]]

    changed = {**papers[20], "title": "Qwertyuiop: a renamed paper"}
    write_jsonl(tmp_path / "two.jsonl", [changed])
    import_files([tmp_path / "two.jsonl"])
    call_command("index", stdout=io.StringIO())
    assert ids(engine.search("qwertyuiop", mode="keyword")) == [changed["id"]]


def test_a_deleted_or_truncated_keyword_index_is_rebuilt(papers: list[dict[str, Any]]) -> None:
    query = papers[30]["title"]
    shutil.rmtree(keyword_path())
    readers.reset()
    assert ids(engine.search(query, limit=1)) == [papers[30]["id"]]
    for f in keyword_path().iterdir():
        if f.suffix in (".idx", ".term", ".fast", ".store"):
            f.write_bytes(f.read_bytes()[: max(f.stat().st_size // 3, 1)])
    readers.reset()
    assert ids(engine.search(query, limit=1)) == [papers[30]["id"]]
    out = io.StringIO()
    call_command("index", stdout=out)
    assert "keyword index updated" in out.getvalue()


def test_a_keyword_index_of_an_older_layout_is_rebuilt_by_the_index_job(papers: list[dict[str, Any]]) -> None:
    from paperwire.search import keyword
    from paperwire.search.store import read_manifest, write_manifest

    manifest = read_manifest("keyword")
    assert manifest is not None
    write_manifest("keyword", {**manifest, "schema": keyword.SCHEMA_VERSION - 1})  # before the "text" field
    readers.reset()
    report = update_indexes()
    assert report.keyword_rebuilt and report.keyword_docs == N
    assert (read_manifest("keyword") or {}).get("schema") == keyword.SCHEMA_VERSION
    text = "a game where parts of the brain bid with costly effort to win awareness"
    assert ids(engine.search(text, mode="keyword", limit=1)) == ["2606.11242"]


def test_a_deleted_or_truncated_vector_index_is_rebuilt(papers: list[dict[str, Any]]) -> None:
    text = "simulating cracks spreading through rock saturated with fluid"
    before = ids(engine.search(text, mode="vector", limit=5))
    vector_path().unlink()
    readers.reset()
    assert ids(engine.search(text, mode="vector", limit=5)) == before
    data = vector_path().read_bytes()
    vector_path().write_bytes(data[: len(data) // 2])
    readers.reset()
    assert ids(engine.search(text, mode="vector", limit=5)) == before
    vector_path().write_bytes(data[: len(data) // 3])
    out = io.StringIO()
    call_command("index", stdout=out)
    assert "vector index rebuilt" in out.getvalue()


def test_import_stores_the_vectors_given_beside_the_file(db: None, tmp_path: Path) -> None:
    papers, vectors = write_slice(tmp_path, 20)
    out = io.StringIO()
    call_command("import", str(papers), vectors=vectors, stdout=out)
    assert "Stored 20 vector(s)" in out.getvalue()
    shipped = np.load(DEMO_VECTORS, mmap_mode="r")
    row = PaperVector.objects.get(paper__arxiv_id=demo_rows(20)[13]["id"])
    assert float(row.array() @ shipped[13].astype(np.float32)) > 0.9999
    call_command("import", str(papers), vectors=vectors, stdout=out)  # again: nothing changes
    assert "Stored 0 vector(s)" in out.getvalue()


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("rows", "rows but"),
        ("columns", "shape"),
        ("nan", "NaN"),
        ("length", "unit length"),
        ("garbage", "not a NumPy"),
    ],
)
def test_bad_vectors_are_refused_and_nothing_is_written(
    db: None, tmp_path: Path, problem: str, message: str
) -> None:
    papers, vectors = write_slice(tmp_path, 10)
    good = np.load(vectors).astype(np.float32)
    bad = {
        "rows": good[:9],
        "columns": good[:, :100],
        "nan": np.where(np.arange(10)[:, None] == 4, np.nan, good),
        "length": good * 1.5,
    }.get(problem)
    if bad is None:
        vectors.write_bytes(b"not numpy at all")
    else:
        np.save(vectors, bad)
    with pytest.raises(CommandError, match=message):
        call_command("import", str(papers), vectors=vectors, stdout=io.StringIO())
    assert not Paper.objects.exists() and not PaperVector.objects.exists()


def test_the_model_reproduces_the_shipped_vectors() -> None:
    from paperwire.search.embedding import embed, paper_text

    rows = demo_rows(400)
    picks = [0, 133, 399]
    got = embed([paper_text(" ".join(rows[i]["title"].split()), rows[i]["abstract"]) for i in picks])
    shipped = np.load(DEMO_VECTORS, mmap_mode="r")
    for g, i in zip(got, picks, strict=True):
        assert float(g @ shipped[i].astype(np.float32)) >= 0.999


def test_the_embed_command_embeds_papers_without_vectors(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, 3, vectors=False)
    out = io.StringIO()
    call_command("embed", "--batch", "2", stdout=out)
    assert "embedded 3 paper(s)" in out.getvalue()
    assert PaperVector.objects.count() == 3
    shipped = np.load(DEMO_VECTORS, mmap_mode="r")
    for i, row in enumerate(demo_rows(3)):
        v = PaperVector.objects.get(paper__arxiv_id=row["id"]).array()
        assert float(v @ shipped[i].astype(np.float32)) >= 0.999
    assert engine.search(demo_rows(3)[1]["title"], mode="vector", limit=1).vectors_used
    call_command("embed", stdout=out)
    assert "embedded 0 paper(s)" in out.getvalue()


def test_the_search_page_marks_matched_words_and_escapes_the_query(papers: Any) -> None:
    resp = Client().get("/search", {"q": '<script>alert("x")</script> diffusion'})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<mark>diffusion</mark>" in html.lower() or "<mark>Diffusion</mark>" in html
    assert 'class="card"' in html  # the feed's own cards
    assert 'class="topsearch"' in html


def test_the_search_page_has_a_json_twin(papers: list[dict[str, Any]]) -> None:
    data = Client().get("/search", {"q": papers[1]["title"], "format": "json"}).json()
    assert data["results"][0]["id"] == papers[1]["id"]
    assert data["results"][0]["scores"]["pinned"] is True


def test_a_paper_page_lists_similar_papers(papers: list[dict[str, Any]]) -> None:
    html = Client().get(f"/papers/{papers[0]['id']}").content.decode()
    assert "Similar papers" in html
    assert html.count('class="similar-list"') == 1


def test_the_native_api_returns_scores_filters_and_pages(papers: list[dict[str, Any]]) -> None:
    client = Client()
    data = client.get("/api/v1/search", {"q": "language model reasoning", "limit": 5}).json()
    assert len(data["results"]) == 5 and data["total"] > 5
    fused = [r["scores"]["fused"] for r in data["results"]]
    assert fused == sorted(fused, reverse=True)
    assert any(r["scores"]["keyword_rank"] and r["scores"]["vector_rank"] for r in data["results"])
    second = client.get("/api/v1/search", {"q": "language model reasoning", "limit": 5, "offset": 5}).json()
    assert not {r["id"] for r in data["results"]} & {r["id"] for r in second["results"]}
    kw = client.get("/api/v1/search", {"q": "language model", "mode": "keyword"}).json()
    assert all(r["scores"]["vector_rank"] is None for r in kw["results"])
    vec = client.get("/api/v1/search", {"q": "language model", "mode": "vector"}).json()
    assert all(r["scores"]["keyword_rank"] is None for r in vec["results"])
    cat = papers[2]["categories"][0]
    filtered = client.get("/api/v1/search", {"q": "learning", "category": cat, "limit": 50}).json()
    assert filtered["results"] and all(cat in r["categories"] for r in filtered["results"])
    assert client.get("/api/v1/search", {"q": "x", "mode": "fuzzy"}).status_code == 400
    assert client.get("/api/v1/search", {"q": "x", "limit": 0}).status_code == 400


def test_huggingface_hub_client_searches_a_live_server(live_server: Any, tmp_path: Path) -> None:
    from huggingface_hub import HfApi

    import_slice(tmp_path, 60)
    target = demo_rows(60)[25]
    found = list(HfApi(endpoint=live_server.url).list_papers(query=target["title"], limit=5))
    assert found and found[0].id == target["id"]
    assert found[0].title == target["title"]
    hostile = list(HfApi(endpoint=live_server.url).list_papers(query='"NEAR( *:'))
    assert all(p.id and p.title for p in hostile)  # papers or nothing, never an error


def test_serve_demo_loads_the_demo_vectors(db: None) -> None:
    from paperwire.web.management.commands.serve import load_demo_if_empty

    load_demo_if_empty(io.StringIO())
    assert PaperVector.objects.count() == Paper.objects.count() == 3390
    report = update_indexes()
    assert report.keyword_docs == report.vectors_count == 3390


@pytest.mark.browser
def test_a_reader_searches_from_the_top_bar_and_opens_similar_papers(
    live_server: Any, page: Any, screenshots: Path, tmp_path: Path
) -> None:
    import_slice(tmp_path, N)
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.fill(".topsearch input[name=q]", "diffusion models for image generation")
    page.press(".topsearch input[name=q]", "Enter")
    page.wait_for_selector(".search-results .card")
    assert page.locator(".search-results .card mark").count() > 0
    assert_accessible(page)  # highlighted terms included, in both schemes
    page.screenshot(path=str(screenshots / "search-results.png"), full_page=False)
    page.locator(".search-results .card .title a").first.click()
    page.wait_for_selector(".similar-list li")
    assert page.locator(".similar-list li").count() == 6
    assert_accessible(page)
    page.locator(".similar").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "similar-papers.png"), full_page=False)
