"""Versions and withdrawals: every version the sources report is kept and shown, and members
who follow a paper hear of its new versions and its withdrawal in their next digest."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from paperwire.community.votes import set_vote
from paperwire.digests.digest import content_for, digest_message
from paperwire.digests.models import DigestSend, Subscription
from paperwire.papers.models import Paper
from paperwire.papers.periods import parse_day
from paperwire.papers.records import PaperRecord, VersionInfo
from paperwire.papers.upsert import upsert_records

from .community_data import make_member

pytestmark = pytest.mark.django_db

ID = "2606.07777"
DAY = dt.date(2026, 6, 10)


def raw_record(*versions: tuple[int, str, str], withdrawn: bool = False) -> PaperRecord:
    """Return the paper as an arXivRaw OAI record gives it: every version with date and size."""
    return PaperRecord(
        arxiv_id=ID,
        title="Sharper bounds" if len(versions) > 1 else "Sharp bounds",
        abstract="We bound things.",
        authors=["Ada Lovelace"],
        categories=["math.CO"],
        published=dt.date.fromisoformat(versions[0][1][:10]),
        updated=dt.date.fromisoformat(versions[-1][1][:10]) if len(versions) > 1 else None,
        announced=DAY,
        versions=[VersionInfo(n, date, size) for n, date, size in versions],
        latest_version=versions[-1][0],
        comments="This paper has been withdrawn by the author" if withdrawn else "12 pages",
        withdrawn=withdrawn,
    )


def api_record(latest: int, published: str, updated: str) -> PaperRecord:
    """Return the paper as the arXiv API gives it: the first and latest version's dates, no sizes."""
    return PaperRecord(
        arxiv_id=ID,
        title="Sharper bounds",
        abstract="We bound things.",
        authors=["Ada Lovelace"],
        categories=["math.CO"],
        published=dt.date.fromisoformat(published[:10]),
        updated=dt.date.fromisoformat(updated[:10]),
        versions=[VersionInfo(1, published), VersionInfo(latest, updated)],
        latest_version=latest,
        comments="12 pages",
    )


V1 = (1, "2026-06-09T17:00:00Z", "120kb")
V2 = (2, "2026-06-20T10:00:00Z", "131kb")
V3 = (3, "2026-07-01T09:00:00Z", "0kb")


def test_a_paper_keeps_every_version_through_v1_v2_and_withdrawal(client: Client) -> None:
    upsert_records([raw_record(V1)])
    paper = Paper.objects.get(arxiv_id=ID)
    assert paper.revised_at is None  # a new paper is not an update
    upsert_records([raw_record(V1, V2)])
    paper.refresh_from_db()
    first_revision = paper.revised_at
    assert first_revision is not None and paper.latest_version == 2 and not paper.withdrawn
    # The arXiv API names no sizes: what arXivRaw told us stays.
    upsert_records([api_record(2, V1[1], V2[1])])
    paper.refresh_from_db()
    assert [(v["version"], v["size"]) for v in paper.versions] == [(1, "120kb"), (2, "131kb")]
    assert paper.revised_at == first_revision  # the same version again changes nothing
    upsert_records([raw_record(V1, V2, V3, withdrawn=True)])
    paper.refresh_from_db()
    assert paper.withdrawn and paper.latest_version == 3 and paper.revised_at > first_revision
    assert paper.versions == [
        {"version": 1, "date": V1[1], "size": "120kb"},
        {"version": 2, "date": V2[1], "size": "131kb"},
        {"version": 3, "date": V3[1], "size": "0kb"},
    ]
    html = client.get(f"/papers/{ID}").content.decode()
    assert '<p class="notice warn withdrawn-banner" role="status"><strong>Withdrawn.</strong>' in html
    assert "Version 3 of this paper withdraws it" in html
    for n, date, size in (V1, V2, V3):
        assert f'<a href="https://arxiv.org/abs/{ID}v{n}" rel="noopener">v{n}</a>' in html
        assert f'<time datetime="{date[:10]}">{date[:10]}</time> · {size}' in html
        assert f'href="https://arxiv.org/pdf/{ID}v{n}"' in html
    assert client.get(f"/papers/{ID}?format=json").json()["versions"][2]["size"] == "0kb"


def as_text(message: Any) -> str:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return parsed.get_body(("plain",)).get_content()


def test_a_member_who_upvoted_a_paper_hears_of_its_new_version_and_then_its_withdrawal() -> None:
    upsert_records([raw_record(V1)])
    paper = Paper.objects.get(arxiv_id=ID)
    ada, bob = make_member("ada", password=False), make_member("bob", password=False)
    set_vote(ada, paper, True)
    long_ago = timezone.now() - dt.timedelta(days=30)
    ada_sub = Subscription.objects.create(email=ada.email, user=ada, status="active", confirmed_at=long_ago)
    bob_sub = Subscription.objects.create(email=bob.email, user=bob, status="active", confirmed_at=long_ago)
    anon = Subscription.objects.create(email="anon@example.org", status="active", confirmed_at=long_ago)
    content = content_for(parse_day(DAY.isoformat()))
    assert "Updated papers you follow" not in as_text(digest_message(ada_sub, content))  # nothing new yet

    upsert_records([raw_record(V1, V2)])
    content = content_for(parse_day(DAY.isoformat()))
    text = as_text(digest_message(ada_sub, content))
    assert "== Updated papers you follow ==" in text
    assert "1. Sharper bounds — new version v2" in text and f"/papers/{ID}" in text
    assert "Updated papers you follow" not in as_text(digest_message(bob_sub, content))  # bob follows nothing
    assert "Updated papers you follow" not in as_text(digest_message(anon, content))

    # Once that digest went out, the same version is not news; the withdrawal after it is.
    DigestSend.objects.create(
        subscription=ada_sub, period="2026-06-10", status="sent", sent_at=timezone.now()
    )
    assert "Updated papers you follow" not in as_text(digest_message(ada_sub, content))
    upsert_records([raw_record(V1, V2, V3, withdrawn=True)])
    text = as_text(digest_message(ada_sub, content_for(parse_day(DAY.isoformat()))))
    assert "1. Sharper bounds — withdrawn" in text


def test_a_member_who_saved_a_paper_hears_of_its_new_version_and_sees_it_marked_in_the_library() -> None:
    from paperwire.personal import signals

    upsert_records([raw_record(V1)])
    paper = Paper.objects.get(arxiv_id=ID)
    cyd = make_member("cyd")  # saved it to the library, never upvoted it
    signals.set_saved(cyd, paper, True)
    sub = Subscription.objects.create(
        email=cyd.email, user=cyd, status="active", confirmed_at=timezone.now() - dt.timedelta(days=30)
    )
    reader = Client()
    reader.force_login(cyd)
    assert "since you saved it" not in reader.get("/library").content.decode()

    upsert_records([raw_record(V1, V2)])
    text = as_text(digest_message(sub, content_for(parse_day(DAY.isoformat()))))
    assert "1. Sharper bounds — new version v2" in text
    assert "updated: v2 since you saved it" in reader.get("/library").content.decode()
    upsert_records([raw_record(V1, V2, V3, withdrawn=True)])
    assert "withdrawn since you saved it" in reader.get("/library").content.decode()
