"""/for-you: ranked by the member's own model, cold start from follows, reasons true to the model."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from django.test import Client

from paperwire.papers.models import Paper
from paperwire.personal import hiding, interests, model, signals
from paperwire.personal.models import LibraryItem, Taste
from paperwire.search import store
from paperwire.search.models import PaperVector
from paperwire.search.store import readers
from tests.personal_fixtures import LATER, logged_in
from tests.search_fixtures import import_slice

pytest_plugins = ["tests.personal_fixtures", "tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]
DAY = f"/for-you?date={LATER}&format=json"


def _teach(member: Any, category: str, n: int = 15, negatives: str = "cs.CV") -> list[Paper]:
    """Save n papers of a category from before LATER and mark 10 of another "not interested"."""
    liked = list(Paper.objects.filter(listing_day__lt=LATER, primary_category=category).order_by("pk")[:n])
    for p in liked:
        signals.set_saved(member, p, True)
    for p in Paper.objects.filter(listing_day__lt=LATER, primary_category=negatives).order_by("pk")[:10]:
        signals.set_not_interested(member, p, True)
    return liked


def test_for_you_asks_visitors_to_log_in_and_refuses_a_bad_period(papers: int, member: Any) -> None:
    r = Client().get("/for-you")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = logged_in(member).get("/for-you?date=2026-13-45&format=json")
    assert r.status_code == 400 and "error" in r.json()


def test_a_new_member_gets_trending_first_and_each_line_says_so(papers: int, member: Any) -> None:
    data = logged_in(member).get(DAY).json()
    assert data["cold_start"] is True and data["total"] == Paper.objects.filter(listing_day=LATER).count()
    assert all(p["why"][0].startswith("trending in this period") for p in data["papers"])


def test_a_followed_author_comes_first_and_the_card_says_why(papers: int, member: Any) -> None:
    paper = Paper.objects.filter(listing_day=LATER).order_by("-pk").first()
    assert paper is not None
    name = paper.authors[0]
    interests.follow(member, "author", name)
    client = logged_in(member)
    data = client.get(DAY).json()
    assert data["papers"][0]["id"] == paper.arxiv_id or name in data["papers"][0]["authors"]
    assert f"by {name}, whom you follow" in data["papers"][0]["why"]
    page = client.get(f"/for-you?date={LATER}").content.decode()
    assert f"by {name}, whom you follow" in page


def test_fifteen_saves_rank_their_topic_first_on_a_later_day(papers: int, member: Any) -> None:
    # A topic as a reader has one: papers about video (31 of the later day's ~200 mention it).
    about = re.compile(r"\bvideo", re.I)
    earlier = Paper.objects.filter(listing_day__lt=LATER).order_by("pk")
    liked = [p for p in earlier if about.search(p.title)][:15]
    for p in liked:
        signals.set_saved(member, p, True)
    for p in [p for p in earlier if not about.search(f"{p.title} {p.abstract}")][:10]:
        signals.set_not_interested(member, p, True)
    data = logged_in(member).get(DAY).json()
    assert data["cold_start"] is False and data["model"] == {
        "positives": 15,
        "negatives": 10,
        "trained": True,
    }
    on_topic = [p for p in data["papers"][:10] if about.search(f"{p['title']} {p['abstract']}")]
    assert len(on_topic) >= 6, [p["title"] for p in data["papers"][:10]]
    trending_top = Client().get(f"/papers/date/{LATER}?format=json").json()["papers"][:10]
    assert len(on_topic) > sum(bool(about.search(f"{p['title']} {p['abstract']}")) for p in trending_top)


def test_the_reasons_name_truly_close_saved_papers_and_words_of_the_model(papers: int, member: Any) -> None:
    liked = _teach(member, "cs.CL")
    data = logged_in(member).get(DAY).json()
    taste = model.learned(member)
    titles = {p.title: p.pk for p in liked}
    checked_close = checked_words = 0
    for p in data["papers"]:
        pk = Paper.objects.get(arxiv_id=p["id"]).pk
        vec = model.vectors([pk])[pk]
        for line in p["why"]:
            if line.startswith("close to "):
                named = line.split(": ", 1)[1].rstrip("…").split("; ")
                for title in named:
                    near = model.vectors([titles[title]])[titles[title]]
                    assert float(near @ vec) >= 0.55
                checked_close += 1
            if line.startswith("words that weigh most for you: "):
                words = line.split(": ", 1)[1].split(", ")
                text = model.tokens(p["title"])
                assert all(w in text and taste.words[w] > 0 for w in words)
                checked_words += 1
    assert checked_close >= 3 and checked_words >= 3


def test_the_model_is_kept_until_the_signals_change(papers: int, member: Any) -> None:
    _teach(member, "cs.CL", n=5)
    assert model.learned(member).retrained is True
    assert model.learned(member).retrained is False
    signals.set_saved(member, Paper.objects.filter(primary_category="cs.AI").first(), True)
    again = model.learned(member)
    assert again.retrained is True and again.positives == 6


def test_reset_forgets_the_model_and_keeps_or_clears_the_library(papers: int, member: Any) -> None:
    _teach(member, "cs.CL", n=5)
    client = logged_in(member)
    assert client.get("/settings/interests?format=json").json()["model"]["trained"] is True
    client.post("/settings/interests/reset")
    assert client.get("/settings/interests?format=json").json()["model"]["trained"] is False
    assert LibraryItem.objects.filter(user=member).count() == 5
    assert client.get(DAY).json()["cold_start"] is True
    client.post("/settings/interests/reset", {"clear": "1"})
    assert not LibraryItem.objects.filter(user=member).exists()


def test_the_interests_page_shows_what_was_learned(papers: int, member: Any) -> None:
    _teach(member, "cs.CL")
    data = logged_in(member).get("/settings/interests?format=json").json()
    taste = model.learned(member)
    assert data["model"]["top_words"] and all(taste.words[w] > 0 for w in data["model"]["top_words"])
    liked = set(LibraryItem.objects.filter(user=member).values_list("paper__arxiv_id", flat=True))
    assert data["model"]["nearest"] and set(data["model"]["nearest"]) <= liked
    page = logged_in(member).get("/settings/interests").content.decode()
    assert "Words that weigh most for you" in page and "Reset what the ranking learned" in page


def test_seen_papers_are_marked_and_can_be_hidden_with_one_toggle(papers: int, member: Any) -> None:
    day = list(Paper.objects.filter(listing_day=LATER).order_by("pk")[:2])
    signals.mark_seen(member, [day[0]])
    signals.set_status(member, day[1], "read")
    client = logged_in(member)

    def every_page() -> list[dict[str, Any]]:
        """Return the day's papers from all of /for-you's pages (where the two land depends on the model)."""
        papers, number = [], 1
        while number < 20:
            answer = client.get(f"{DAY}&page={number}")
            if answer.status_code == 404 or not answer.json()["papers"]:
                return papers
            papers += answer.json()["papers"]
            number += 1
        return papers

    seen = {p["id"] for p in every_page() if p["seen"]}
    assert {day[0].arxiv_id, day[1].arxiv_id} <= seen  # shown in a digest, and marked read
    client.post("/for-you/hide-seen", {"hide": "1"})
    assert Taste.objects.get(user=member).hide_seen is True
    ids = {p["id"] for p in every_page()}
    assert day[0].arxiv_id not in ids and day[1].arxiv_id not in ids
    assert client.get(DAY).json()["seen_hidden"] >= 2


def test_mutes_and_not_interested_hide_papers_on_for_you_and_search(papers: int, member: Any) -> None:
    target = Paper.objects.filter(listing_day=LATER).order_by("pk").first()
    assert target is not None
    word = max(model.tokens(target.title), key=len)
    interests.mute(member, "word", word)
    client = logged_in(member)
    data = client.get(DAY).json()
    assert target.arxiv_id not in {p["id"] for p in data["papers"]} and data["hidden"] >= 1
    revealed = client.get(DAY + "&show_hidden=1").json()
    assert revealed["total"] == data["total"] + data["hidden"]
    shown = [
        p
        for n in range(1, revealed["pages"] + 1)
        for p in client.get(f"{DAY}&show_hidden=1&page={n}").json()["papers"]
    ]
    assert [p["muted"] for p in shown if p["id"] == target.arxiv_id] == [True]
    found = client.get(f"/search?q={target.arxiv_id}&format=json").json()
    assert found["hidden"] == 1 and not found["results"]
    page = client.get(f"/search?q={target.arxiv_id}").content.decode()
    assert "1 paper hidden by your mute rules" in page
    interests.unmute(member, "word", word)
    signals.set_not_interested(member, target, True)
    assert target.arxiv_id not in {p["id"] for p in client.get(DAY).json()["papers"]}


def test_vectors_are_read_from_the_database(papers: int) -> None:
    pk = Paper.objects.order_by("pk").first().pk  # type: ignore[union-attr]
    vec = model.vectors([pk])[pk]
    assert vec.dtype == np.float32 and abs(float(np.linalg.norm(vec)) - 1) < 0.01


def test_a_followed_query_or_a_saved_search_lifts_its_matches_and_says_so(papers: int, member: Any) -> None:
    from paperwire.feeds.models import SavedSearch

    day = list(Paper.objects.filter(listing_day=LATER).order_by("pk"))
    target = day[-1]
    word = max(model.tokens(target.title), key=len)
    SavedSearch.objects.create(user=member, name="mine", query=f"{word} cat:{target.categories[0]}")
    data = logged_in(member).get(DAY).json()
    first = data["papers"][0]
    assert first["id"] == target.arxiv_id or word in (first["title"] + first["abstract"]).lower()
    assert f"matches “{word} cat:{target.categories[0]}”, which you follow" in first["why"]
    interests.follow(member, "query", '"no such phrase anywhere"')
    assert all(
        "no such phrase" not in " ".join(p["why"]) for p in logged_in(member).get(DAY).json()["papers"]
    )


def test_a_malformed_page_or_collection_number_is_refused_or_ignored_never_a_500(
    papers: int, member: Any
) -> None:
    client = logged_in(member)
    # "²".isdigit() is True but int("²") fails: the page number is read the one shared way.
    answer = client.get(f"{DAY}&page=²")
    assert answer.status_code == 400 and "page" in answer.json()["error"]
    assert client.get("/library?collection=²").status_code == 200  # an unknown filter is dropped


def test_ranking_reads_vectors_from_the_index_files_and_newer_ones_from_the_database(
    db: None, tmp_path: Any
) -> None:
    import_slice(tmp_path, 40)
    readers.reset()
    pks = list(Paper.objects.order_by("pk").values_list("pk", flat=True))
    stored = model.stored_vectors(pks)
    assert len(stored) == 40
    source = Paper.objects.get(pk=pks[0])
    vector = PaperVector.objects.get(paper_id=pks[0])
    source.pk, source.arxiv_id = None, "2799.00001"
    source.save()  # arrived after the last index run: only the database has its vector
    vector.pk, vector.paper = None, source
    vector.save()
    got = model.vectors([*pks, source.pk, 10**9])
    assert set(got) == {*pks, source.pk}  # an unknown pk has none
    for pk in pks:
        assert np.allclose(got[pk], stored[pk], atol=1e-3)
    assert np.allclose(got[source.pk], stored[pks[0]], atol=1e-3)
    assert readers.built_vectors() is not None
    readers.reset()
    for path in store.vector_files():
        path.unlink()
    assert readers.built_vectors() is None  # never built in a request: the database answers
    assert set(model.vectors([*pks, source.pk])) == {*pks, source.pk}


def test_a_long_list_and_a_short_one_hide_the_same_papers(papers: int, member: Any) -> None:
    """Past ASK_BY_ID papers the member's marks are read whole instead of asked for by id."""
    every = list(Paper.objects.order_by("pk"))
    assert len(every) > hiding.ASK_BY_ID
    for paper in every[::97]:
        signals.set_not_interested(member, paper, True)
    interests.mute(member, "author", every[5].authors[0])
    long = hiding.hidden_ids(member, every)
    short = set().union(*(hiding.hidden_ids(member, every[i : i + 100]) for i in range(0, len(every), 100)))
    assert long == short
    assert {p.pk for p in every[::97]} | {every[5].pk} <= long
