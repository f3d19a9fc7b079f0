"""Search ranking users rely on: known papers first, filters, phrases, exclusions, snippets, paging."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from paperwire.search import engine, highlight
from tests.conftest import demo_rows
from tests.search_fixtures import import_slice

N = 300  # real demo papers with their shipped vectors
GROUP_TESTING = "2606.11353"  # An Information-Theoretic Analysis of Threshold Group Testing
CONSCIOUS = "2606.11242"  # Game-Theoretic Foundations of Competition for Conscious Access
DEPTH = "2606.12368"  # DepthMaster: Unified Monocular Depth Estimation for Perspective and Panoramic …


@pytest.fixture
def papers(db: None, tmp_path: Path) -> list[dict[str, Any]]:
    import_slice(tmp_path, N)
    return demo_rows(N)


def ids(page: engine.SearchPage) -> list[str]:
    return [h.paper.arxiv_id for h in page.hits]


@pytest.mark.parametrize("mode", engine.MODES)
def test_a_title_typed_with_typos_and_missing_words_finds_its_paper_first(papers: list, mode: str) -> None:
    assert ids(engine.search("informaton theoretic analysis threshold group testing", mode=mode))[0] == (
        GROUP_TESTING
    )


@pytest.mark.parametrize(
    "text", [GROUP_TESTING, f"arXiv:{GROUP_TESTING}", f"https://arxiv.org/abs/{GROUP_TESTING}v2"]
)
def test_an_arxiv_id_or_url_finds_only_its_paper_first(papers: list, text: str) -> None:
    page = engine.search(text)
    assert ids(page)[0] == GROUP_TESTING
    assert page.hits[0].scores.pinned


def test_a_description_in_plain_words_finds_the_paper_it_describes(papers: list) -> None:
    text = "pooling samples so that a pool is positive only when enough of its items are defective"
    assert GROUP_TESTING in ids(engine.search(text, limit=3))


def test_a_question_finds_the_paper_that_answers_it(papers: list) -> None:
    text = "how to estimate depth from one 360 degree image and an ordinary photo with the same model?"
    assert ids(engine.search(text, limit=3))[0] == DEPTH


def test_an_author_filter_with_a_topic_keeps_only_that_authors_papers(papers: list) -> None:
    page = engine.search('author:"van der Hofstad" group testing', limit=50)
    assert ids(page) == [GROUP_TESTING]


def test_a_category_filter_keeps_the_paper_inside_it_and_drops_it_outside(papers: list) -> None:
    assert GROUP_TESTING in ids(engine.search("group testing cat:cs.IT", limit=50))
    assert GROUP_TESTING not in ids(engine.search("group testing cat:cs.CV", limit=50))


def test_a_date_filter_drops_papers_listed_outside_it(papers: list) -> None:
    assert GROUP_TESTING in ids(engine.search("group testing date:2026-06-11", limit=50))
    assert GROUP_TESTING not in ids(engine.search("group testing after:2026-06-12", limit=50))


@pytest.mark.parametrize("mode", engine.MODES)
def test_a_quoted_phrase_must_appear_as_written(papers: list, mode: str) -> None:
    page = engine.search('"winner-take-all efficiency"', mode=mode, limit=50)
    assert ids(page) == [CONSCIOUS]


@pytest.mark.parametrize("mode", engine.MODES)
def test_an_excluded_word_removes_every_paper_that_has_it(papers: list, mode: str) -> None:
    page = engine.search("group testing -threshold", mode=mode, limit=50)
    assert page.hits and GROUP_TESTING not in ids(page)
    for h in page.hits:
        assert "threshold" not in f"{h.paper.title} {h.paper.abstract}".lower()


def test_a_long_query_in_words_only_mode_still_finds_papers_sharing_a_few_of_its_words(papers: list) -> None:
    # Nine words, of which the paper shares only two ("phase transition"): a rule that half the
    # words must match would return nothing for it.
    text = "sharp phase transition for pooled screening of blood samples in hospitals"
    assert GROUP_TESTING in ids(engine.search(text, mode="keyword", limit=20))


@pytest.mark.parametrize(
    ("text", "paper"),
    [
        # "game" is in the title only; "brain", "costly" and "effort" in the abstract only; "bid",
        # "parts" and "awareness" in neither.
        ("a game where parts of the brain bid with costly effort to win awareness", CONSCIOUS),
        (
            "pooling blood samples where a pool tests positive only if enough people in it are infected",
            GROUP_TESTING,
        ),
    ],
)
def test_a_description_with_words_spread_over_title_and_abstract_finds_its_paper_first_by_words_alone(
    papers: list, text: str, paper: str
) -> None:
    # Under the rule that half the words must match, neither paper was found by words at all.
    assert ids(engine.search(text, mode="keyword", limit=10))[0] == paper


def test_a_title_typed_from_memory_in_another_order_is_weighted_as_a_title(papers: list) -> None:
    from paperwire.search import keyword
    from paperwire.search.querylang import parse
    from paperwire.search.store import readers

    ks = readers.keyword()
    reordered = parse("group testing threshold analysis information theoretic")
    description = parse("pooling blood samples where a pool tests positive if enough people are infected")
    assert keyword.looks_like_title(ks, reordered)
    assert not keyword.looks_like_title(ks, description)
    assert engine.query_weights(ks, reordered, engine.WEIGHTS) == engine.TITLE_WEIGHTS
    assert ids(engine.search(reordered.raw, limit=1)) == [GROUP_TESTING]


def test_the_hybrid_ranking_puts_first_what_both_lists_rank_high(papers: list) -> None:
    page = engine.search("threshold group testing information theory")
    first = page.hits[0].scores
    assert ids(page)[0] == GROUP_TESTING
    assert first.keyword_rank == 1 and first.vector_rank is not None and first.vector_rank <= 3


def test_the_snippet_shows_the_sentences_that_contain_the_searched_words(papers: list) -> None:
    page = engine.search("impossibility theorem winner-take-all", limit=5)
    hit = next(h for h in page.hits if h.paper.arxiv_id == CONSCIOUS)
    # Two sentences covering both sides of the query, not the first lines nor one side twice.
    assert "Finally, we prove an impossibility theorem" in hit.snippet
    assert "winner-take-all" in hit.snippet.replace("Finally, we prove an impossibility theorem", "")
    assert hit.snippet.startswith("… ")
    assert "Conscious access in the human brain" not in hit.snippet


def test_the_result_card_shows_the_snippet_with_the_words_marked(papers: list) -> None:
    html = Client().get("/search", {"q": "impossibility theorem winner-take-all"}).content.decode()
    card = html[html.index(f'id="paper-{CONSCIOUS.replace(".", "")}"') :]
    card = card[: card.index("</article>")]
    abstract = re.search(r'<p class="abstract"[^>]*>(.*?)</p>', card, re.S)
    assert abstract is not None
    assert "we prove an <mark>impossibility</mark> <mark>theorem</mark>" in abstract.group(1)
    assert "Conscious access in the human brain" not in abstract.group(1)


def test_a_snippet_keeps_inline_math_whole() -> None:
    parts = highlight.sentences("We bound $x. Y$ tightly. Then we test it. Finally it works.")
    assert parts == ["We bound $x. Y$ tightly.", "Then we test it.", "Finally it works."]


def test_a_word_written_with_accents_is_marked_and_picked_for_the_snippet_as_its_plain_spelling() -> None:
    from django.utils.safestring import mark_safe

    from paperwire.search import keyword
    from paperwire.search.querylang import parse

    terms = keyword.highlight_terms(parse("schrodinger equation"))
    html = highlight.highlight_html(mark_safe("<p>The Schrödinger equation; ASCII: schrodinger.</p>"), terms)
    marked = "<mark>Schrödinger</mark> <mark>equation</mark>; ASCII: <mark>schrodinger</mark>"
    assert html == f"<p>The {marked}.</p>"
    abstract = "We study cats. Dogs bark at night. The Schrödinger operator is bounded. Birds sing."
    snippet, matched = highlight.snippet(abstract, dict.fromkeys(terms, 1.0))
    assert matched and "The Schrödinger operator is bounded." in snippet and "Dogs bark" not in snippet


def test_a_card_sharing_no_word_with_the_query_shows_the_sentence_nearest_in_meaning() -> None:
    abstract = (
        "We collected a large corpus of recordings. The weather was cold during most sessions. "
        "Domestic cats purr loudly when they are content. Each file was labelled by two people."
    )
    hit = engine.Hit(SimpleNamespace(abstract=abstract), engine.Ranked(1))  # type: ignore[arg-type]
    engine.add_snippets([hit], {"sound", "felin", "make"}, "the sounds felines make")
    assert hit.snippet.startswith("… Domestic cats purr loudly")
    assert "We collected a large corpus" not in hit.snippet


def test_the_search_mode_survives_paging(papers: list) -> None:
    client = Client()
    html = client.get("/search", {"q": "model", "mode": "keyword"}).content.decode()
    assert '<option value="keyword" selected>' in html
    nxt = re.search(r'<a class="btn" rel="next" href="([^"]+)"', html)
    assert nxt is not None
    href = nxt.group(1).replace("&amp;", "&")
    assert "mode=keyword" in href
    second = client.get(f"/search{href}").content.decode()
    assert '<option value="keyword" selected>' in second
    size = settings.PAGE_SIZE
    expected = engine.search("model", mode="keyword", offset=size, limit=size)
    assert expected.hits and f'id="paper-{expected.hits[0].paper.arxiv_id.replace(".", "")}"' in second


def test_the_json_twin_carries_each_results_snippet(papers: list) -> None:
    data = Client().get("/search", {"q": "impossibility theorem", "format": "json"}).json()
    first = next(r for r in data["results"] if r["id"] == CONSCIOUS)
    assert "impossibility theorem" in first["snippet"]


def test_without_the_model_installed_a_search_finds_by_words_instead_of_failing(
    papers: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperwire.search import embedding

    def missing(*args: object, **kwargs: object) -> None:
        raise embedding.ModelMissing("the model weights are not installed (tried in this test)")

    monkeypatch.setattr(embedding, "embed", missing)  # as after `pip install .` without the weights
    for mode in ("hybrid", "vector"):
        page = engine.search("impossibility theorem winner-take-all", mode=mode, limit=5)
        assert CONSCIOUS in [h.paper.arxiv_id for h in page.hits], mode
        assert not page.vectors_used
