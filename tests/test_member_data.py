"""Data out: a member downloads everything they gave as one JSON file."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from paperwire.community import comments
from paperwire.community.models import Report, Submission
from paperwire.community.votes import set_vote
from paperwire.digests.models import Subscription
from paperwire.feeds.models import SavedSearch

from .community_data import make_member, make_paper

pytestmark = pytest.mark.django_db


def test_a_member_downloads_everything_they_gave_and_nothing_of_anyone_else() -> None:
    ada, bob = make_member("ada", password=False), make_member("bob", password=False)
    first, second = make_paper("2606.00011"), make_paper("2606.00012")
    set_vote(ada, first, True)
    set_vote(bob, second, True)
    top = comments.create(ada, first, "Is $n=3$ covered?")
    reply = comments.create(bob, first, "Yes.", top.pk)
    comments.create(ada, first, "Thanks!", top.pk)
    Submission.objects.create(paper=second, user=ada)
    Report.objects.create(comment=reply, reporter=ada, reason="other", note="test")
    Subscription.objects.create(email=ada.email, user=ada, status="active", frequency="weekly")
    SavedSearch.objects.create(user=ada, name="SSMs", query='"state space" cat:cs.LG')
    client = Client()
    client.force_login(ada)
    response = client.get("/settings/my-data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="paperwire-ada-')
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["format"] == "paperwire-member-data" and data["version"] == 1
    assert data["account"]["username"] == "ada"
    assert data["account"]["emails"] == [{"email": "ada@example.org", "verified": True, "primary": True}]
    assert [v["paper"] for v in data["votes"]] == ["2606.00011"]
    assert [(c["paper"], c["reply_to"], c["body"]) for c in data["comments"]] == [
        ("2606.00011", None, "Is $n=3$ covered?"),
        ("2606.00011", top.pk, "Thanks!"),
    ]
    assert data["comments"][0]["created_at"].endswith("Z")
    assert [s["paper"] for s in data["submissions"]] == ["2606.00012"]
    assert data["reports"][0]["comment"] == reply.pk and data["reports"][0]["reason"] == "other"
    assert data["digest"][0]["frequency"] == "weekly"
    assert data["saved_searches"] == [
        {
            "name": "SSMs",
            "query": '"state space" cat:cs.LG',
            "sort": "relevance",
            "mode": "hybrid",
            "in_digest": True,
        }
    ]
    assert "bob" not in json.dumps(data)  # nothing of another member's


def test_the_download_needs_a_signed_in_member_and_is_linked_from_their_settings() -> None:
    anonymous = Client().get("/settings/my-data.json")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client = Client()
    client.force_login(make_member("ada", password=False))
    assert 'href="/settings/my-data.json"' in client.get("/settings/profile").content.decode()


def test_the_download_holds_the_members_library_collections_follows_mutes_and_dismissals() -> None:
    from paperwire.personal.models import Collection, CollectionItem, Follow, LibraryItem, Mute, NotInterested

    ada, bob = make_member("ada", password=False), make_member("bob", password=False)
    kept, dull = make_paper("2606.00021"), make_paper("2606.00022")
    LibraryItem.objects.create(user=ada, paper=kept, status="read")
    LibraryItem.objects.create(user=bob, paper=dull)
    reading = Collection.objects.create(user=ada, name="Reading group", public=True)
    CollectionItem.objects.create(collection=reading, paper=kept, note="week 3")
    Follow.objects.create(user=ada, kind="author", value="Ada Lovelace")
    Mute.objects.create(user=ada, kind="word", value="benchmark")
    NotInterested.objects.create(user=ada, paper=dull)
    client = Client()
    client.force_login(ada)
    data = json.loads(client.get("/settings/my-data.json").content)
    assert [(i["paper"], i["status"]) for i in data["library"]] == [("2606.00021", "read")]
    assert [
        (c["name"], c["public"], c["papers"][0]["paper"], c["papers"][0]["note"]) for c in data["collections"]
    ] == [("Reading group", True, "2606.00021", "week 3")]
    assert [(f["kind"], f["value"]) for f in data["follows"]] == [("author", "Ada Lovelace")]
    assert [(m["kind"], m["value"]) for m in data["mutes"]] == [("word", "benchmark")]
    assert [n["paper"] for n in data["not_interested"]] == ["2606.00022"]
