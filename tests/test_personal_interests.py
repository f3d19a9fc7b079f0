"""Follows and mute rules: kept through /settings/*, and mutes hiding papers on every surface."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from paperwire.personal import interests
from paperwire.personal.hiding import hidden_ids
from paperwire.personal.models import Follow, Mute
from tests.community_data import make_member, make_paper
from tests.personal_fixtures import logged_in

pytest_plugins = ["tests.personal_fixtures", "tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def _three() -> tuple[Any, Any, Any]:
    llm = make_paper("2606.00001", title="Large Language Models as judges", authors=["Ada Lovelace"])
    robot = make_paper(
        "2606.00002",
        title="Grasping with soft hands",
        authors=["Alan Turing"],
        categories=["cs.RO"],
        primary_category="cs.RO",
    )
    plain = make_paper("2606.00003", title="Sparse graphs in practice", authors=["Grace Hopper"])
    return llm, robot, plain


def test_follows_and_mutes_are_added_and_removed_by_plain_form_posts(member: Any) -> None:
    client = logged_in(member)
    r = client.post("/settings/follows", {"kind": "author", "value": "  Jane   Doe "})
    assert r.status_code == 302
    assert Follow.objects.filter(user=member, kind="author", value="Jane Doe").exists()
    client.post("/settings/mutes", {"kind": "word", "value": "large language model"})
    page = client.get("/settings/interests").content.decode()
    assert "Jane Doe" in page and "large language model" in page
    client.post("/settings/follows", {"kind": "author", "value": "Jane Doe", "action": "remove"})
    client.post("/settings/mutes", {"kind": "word", "value": "large language model", "action": "remove"})
    assert not Follow.objects.exists() and not Mute.objects.exists()


def test_a_bad_rule_is_refused_with_what_was_wrong_and_changes_nothing(member: Any) -> None:
    client = logged_in(member)
    tries = [
        (
            "/settings/follows",
            {"kind": "planet", "value": "Mars"},
            "kind must be one of author, category, query",
        ),
        ("/settings/mutes", {"kind": "category", "value": "not a category!"}, "is not an arXiv category"),
        ("/settings/mutes", {"kind": "word", "value": "   "}, "Give the word to use"),
        ("/settings/follows", {"kind": "author", "value": "x" * 201}, "at most 200 characters"),
    ]
    for url, data, message in tries:
        r = client.post(f"{url}?format=json", data)
        assert r.status_code == 400 and message in r.json()["error"], (url, data)
        r = client.post(url, data, follow=True)
        assert message in r.content.decode(), (url, data)
    assert not Follow.objects.exists() and not Mute.objects.exists()


def test_a_visitor_cannot_add_rules(db: None) -> None:
    r = Client().post("/settings/mutes", {"kind": "word", "value": "llm"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert not Mute.objects.exists()


def test_mute_rules_match_authors_categories_and_whole_words(member: Any) -> None:
    llm, robot, plain = _three()
    interests.mute(member, "word", "language models")
    interests.mute(member, "category", "cs.RO")
    assert hidden_ids(member, [llm, robot, plain]) == {llm.pk, robot.pk}
    interests.unmute(member, "word", "language models")
    interests.mute(member, "word", "graph")  # a whole word: "graphs" is another word
    interests.mute(member, "author", "ada lovelace")  # any case, as arXiv writes the name
    assert hidden_ids(member, [llm, robot, plain]) == {llm.pk, robot.pk}
    assert hidden_ids(make_member("other", password=False), [llm, robot, plain]) == set()


def test_mutes_hide_papers_on_the_feed_with_a_line_that_reveals_them(member: Any) -> None:
    _three()
    interests.mute(member, "author", "Alan Turing")
    client = logged_in(member)
    page = client.get("/").content.decode()
    assert "Grasping with soft hands" not in page and "Sparse graphs in practice" in page
    assert "1 paper hidden by your mute rules" in page
    assert "Grasping with soft hands" in client.get("/?show_hidden=1").content.decode()
    assert client.get("/?format=json").json()["hidden"] == 1
    assert "Grasping with soft hands" in Client().get("/").content.decode()  # others still see it


def test_every_author_name_links_to_a_page_to_follow_them(member: Any) -> None:
    llm, _, _ = _three()
    client = logged_in(member)
    assert 'href="/authors/Ada%20Lovelace"' in client.get("/").content.decode()
    assert 'href="/authors/Ada%20Lovelace"' in client.get(f"/papers/{llm.arxiv_id}").content.decode()
    page = client.get("/authors/Ada%20Lovelace").content.decode()
    assert "Large Language Models as judges" in page and "Follow Ada Lovelace" in page
    client.post("/settings/follows", {"kind": "author", "value": "Ada Lovelace"})
    assert client.get("/authors/Ada%20Lovelace?format=json").json()["following"] is True
