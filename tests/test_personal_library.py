"""Library, collections, imports, the private For you feed and the member's digest section."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from paperwire.digests.digest import content_for, digest_message
from paperwire.digests.models import Subscription
from paperwire.papers.models import Paper
from paperwire.papers.periods import parse_period
from paperwire.personal import interests, library, signals
from paperwire.personal.feeds import feed_token
from paperwire.personal.models import Collection, LibraryItem, Seen
from tests.community_data import make_member, make_paper
from tests.personal_fixtures import LATER, logged_in

pytest_plugins = ["tests.personal_fixtures", "tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def test_the_library_lists_saves_newest_first_and_filters_by_status_query_and_collection(member: Any) -> None:
    a = make_paper("2606.00001", title="Gaussian splatting for cities", authors=["Ada Lovelace"])
    b = make_paper(
        "2606.00002", title="Speech models at scale", categories=["cs.CL"], authors=["Alan Turing"]
    )
    c = make_paper("2606.00003", title="Gaussian processes revisited")
    for p in (a, b, c):
        signals.set_saved(member, p, True)
    signals.set_status(member, b, "read")
    client = logged_in(member)
    ids = lambda url: [p["id"] for p in client.get(url).json()["papers"]]  # noqa: E731
    assert ids("/library?format=json") == ["2606.00003", "2606.00002", "2606.00001"]
    assert ids("/library?format=json&status=read") == ["2606.00002"]
    assert ids("/library?format=json&q=gaussian") == ["2606.00003", "2606.00001"]
    assert ids('/library?format=json&q="gaussian splatting"') == ["2606.00001"]
    assert ids("/library?format=json&q=gaussian+-splatting") == ["2606.00003"]
    assert ids('/library?format=json&q=author:"Lovelace"+cat:cs.CL') == []
    assert ids('/library?format=json&q=author:"Turing"+cat:cs.CL') == ["2606.00002"]
    coll = library.create_collection(member, "Reading group", public=False)
    library.add_to_collection(coll, c, "for Tuesday")
    assert ids(f"/library?format=json&collection={coll.pk}") == ["2606.00003"]
    assert "Gaussian splatting for cities" in client.get("/library").content.decode()


def test_a_private_collection_is_only_its_owners_and_a_public_one_has_a_page_feeds_and_json(
    member: Any,
) -> None:
    paper = make_paper(title="Collected paper")
    client = logged_in(member)
    r = client.post("/collections", {"name": "  Best of June ", "public": ""})
    coll = Collection.objects.get(user=member)
    assert r["Location"] == f"/collections/{coll.pk}" and coll.name == "Best of June" and not coll.public
    client.post(f"/collections/{coll.pk}/edit", {"paper": paper.arxiv_id, "note": "read the proofs"})
    assert LibraryItem.objects.filter(user=member, paper=paper).exists()  # collecting saves it
    assert Client().get(f"/collections/{coll.pk}").status_code == 404
    assert Client().get(f"/collections/{coll.pk}/feed.atom").status_code == 404
    client.post(f"/collections/{coll.pk}/edit", {"action": "visibility", "public": "1"})
    data = Client().get(f"/collections/{coll.pk}?format=json").json()
    assert data["public"] is True and data["papers"][0]["note"] == "read the proofs"
    for kind in ("atom", "rss"):
        parsed = feedparser.parse(Client().get(f"/collections/{coll.pk}/feed.{kind}").content)
        assert parsed.entries[0].title == "Collected paper" and "read the proofs" in parsed.entries[0].summary
    other = logged_in(make_member("eve", password=False))
    assert (
        other.post(f"/collections/{coll.pk}/edit", {"action": "visibility", "public": "0"}).status_code == 404
    )
    assert Collection.objects.get(pk=coll.pk).public is True


def test_importing_ids_and_bibtex_saves_known_papers_and_fetches_unknown_ones(
    member: Any, arxiv_api: Any
) -> None:
    here = make_paper("2606.00001")
    bib = b"@article{x, title={Something}, eprint={1605.08386}, archivePrefix={arXiv}}\n"
    client = logged_in(member)
    r = client.post(
        "/library/import",
        {
            "ids": "2606.00001 https://arxiv.org/abs/2601.99999v2",
            "bibtex": SimpleUploadedFile("refs.bib", bib),
        },
        follow=True,
    )
    page = r.content.decode()
    assert "Saved 2 papers (1 fetched from arXiv); not found: 2601.99999" in page
    saved = set(LibraryItem.objects.filter(user=member).values_list("paper__arxiv_id", flat=True))
    assert saved == {here.arxiv_id, "1605.08386"}
    r = client.post("/library/import", {"ids": "nothing useful here"}, follow=True)
    assert "No arXiv id found" in r.content.decode()


def test_the_private_for_you_feed_needs_its_signed_link_and_carries_the_reasons(member: Any) -> None:
    make_paper(title="Followed work", authors=["Grace Hopper"])
    interests.follow(member, "author", "Grace Hopper")
    token = feed_token(member)
    parsed = feedparser.parse(Client().get(f"/for-you/feed/{token}.atom").content)
    assert parsed.entries[0].title == "Followed work"
    assert "by Grace Hopper, whom you follow" in parsed.entries[0].summary
    assert Client().get(f"/for-you/feed/{token[:-2]}xx.atom").status_code == 404
    assert Client().get(f"/for-you/feed/{token}.rss").status_code == 200


def test_a_members_digest_has_a_for_you_section_skips_muted_papers_and_marks_them_seen(
    papers: int, member: Any
) -> None:
    liked = Paper.objects.filter(listing_day__lt=LATER, primary_category="cs.CL").order_by("pk")[:15]
    for p in liked:
        signals.set_saved(member, p, True)
    period = parse_period("date", LATER.isoformat())
    content = content_for(period)
    muted = Paper.objects.get(arxiv_id=content.papers[0]["arxiv_id"])
    interests.mute(member, "author", muted.authors[0])
    sub = Subscription.objects.create(email=member.email, user=member, status="active", frequency="daily")
    anonymous = Subscription.objects.create(email="someone@example.org", status="active", frequency="daily")
    text = digest_message(sub, content).body
    assert "== For you ==" in text and "close to" in text
    assert muted.title.split()[0] and f"{muted.arxiv_id}" not in text
    assert "== For you ==" not in digest_message(anonymous, content).body
    assert muted.arxiv_id in digest_message(anonymous, content).body
    seen = Seen.objects.filter(user=member).count()
    assert seen >= 1
    data = logged_in(member).get(f"/for-you?date={LATER}&format=json").json()
    assert sum(p["seen"] for p in data["papers"]) >= 1


def test_a_members_mute_rules_hold_in_their_saved_search_feed(papers: int, member: Any) -> None:
    from paperwire.feeds.models import SavedSearch

    saved = SavedSearch.objects.create(user=member, name="vision", query="cat:cs.CV")
    url = f"/feeds/saved/{saved.feed_token}.atom"
    before = feedparser.parse(Client().get(url).content).entries
    muted = before[0].id  # the arXiv abs URL
    paper = Paper.objects.get(arxiv_id=muted.rsplit("/abs/", 1)[1])
    interests.mute(member, "author", paper.authors[0])
    after = [e.id for e in feedparser.parse(Client().get(url).content).entries]
    assert before and muted not in after and len(after) < len(before)
