"""Data out and in: `paperwire export` and `paperwire import-community` carry an instance's community
data to another database (SQLite ↔ PostgreSQL) and back without changing a thing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from paperwire.community import comments
from paperwire.community.models import Report, Submission
from paperwire.community.votes import set_vote
from paperwire.digests.models import Subscription
from paperwire.feeds.models import SavedSearch
from paperwire.papers.models import Paper
from paperwire.personal.models import Collection, CollectionItem, Follow, LibraryItem, Mute, NotInterested
from paperwire.portability.instance import BadExport, export_community, import_community

from .community_data import make_member, make_paper
from .conftest import ROOT, write_jsonl

pytestmark = pytest.mark.django_db
IDS = ("2606.00021", "2606.00022", "2606.00023")


def build_community() -> None:
    """Make members, votes, a threaded discussion, a submission, a report, subscriptions and searches."""
    p1, p2, p3 = (make_paper(i, title=f"Paper {i}") for i in IDS)
    ada = make_member("ada", password=False, display_name="Ada L.", show_upvotes=True)
    bob = make_member("bob", password=False)
    eve = make_member("eve", password=False, verified=False)
    set_vote(ada, p1, True)
    set_vote(bob, p1, True)
    set_vote(bob, p2, True)
    top = comments.create(ada, p1, "Does it hold for $n=3$? **Really**?")
    reply = comments.create(bob, p1, "Yes — see § 4.", top.pk)
    gone = comments.create(bob, p2, "Never mind.")
    comments.delete(gone)
    Report.objects.create(comment=reply, reporter=eve, reason="other", note="ünïcode note")
    Submission.objects.create(paper=p3, user=ada, fetched=True)
    Paper.objects.filter(pk=p3.pk).update(submitted_at=timezone.now(), submitted_by="ada")
    Paper.objects.filter(pk=p2.pk).update(hidden=True)
    Subscription.objects.create(email=ada.email, user=ada, status="active", confirmed_at=timezone.now())
    Subscription.objects.create(email="anon@example.org", status="pending", frequency="weekly")
    SavedSearch.objects.create(user=bob, name="SSMs", query='"state space" cat:cs.LG', in_digest=False)
    get_user_model().objects.filter(username="ada").update(is_staff=True)
    # The members' own lists (the personal app).
    LibraryItem.objects.create(user=ada, paper=p1, status="read", read_at=timezone.now())
    LibraryItem.objects.create(user=bob, paper=p3)
    group = Collection.objects.create(user=ada, name="Reading group", public=True)
    CollectionItem.objects.create(collection=group, paper=p1, note="for week 3")
    CollectionItem.objects.create(collection=group, paper=p3)
    Follow.objects.create(user=ada, kind="author", value="Ada Lovelace")
    Follow.objects.create(user=bob, kind="category", value="cs.LG")
    Mute.objects.create(user=bob, kind="word", value="benchmark")
    NotInterested.objects.create(user=ada, paper=p2)


def wipe_community() -> None:
    get_user_model().objects.all().delete()
    Subscription.objects.all().delete()
    Paper.objects.update(hidden=False, submitted_at=None, submitted_by="", upvotes=0, num_comments=0)


def paperwire(data_dir: Path, *args: str) -> str:
    """Run the paperwire command on a fresh SQLite database in data_dir; return what it printed."""
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "paperwire", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_an_export_goes_through_another_database_and_back_unchanged(tmp_path: Path) -> None:
    build_community()
    counts = {p.arxiv_id: (p.upvotes, p.num_comments) for p in Paper.objects.all()}
    first = export_community()
    assert [m["username"] for m in first["members"]] == ["ada", "bob", "eve"]
    assert [c["parent"] for c in first["comments"]] == [None, 1]  # a deleted comment with no reply is gone
    assert [(r["user"], r["paper"]) for r in first["library"]] == [("ada", IDS[0]), ("bob", IDS[2])]
    assert [len(c["papers"]) for c in first["collections"]] == [2]
    assert len(first["follows"]) == 2 and len(first["mutes"]) == 1 and len(first["not_interested"]) == 1
    exported = tmp_path / "community.json"
    exported.write_text(json.dumps(first), encoding="utf-8")
    # Another instance: SQLite in its own data dir, the same papers imported from a file first.
    other = tmp_path / "other"
    other.mkdir()
    rows = [
        {
            "id": i,
            "title": f"Paper {i}",
            "abstract": "We study things.",
            "authors": ["Ada Lovelace"],
            "categories": ["cs.LG"],
            "announced": "2026-06-10",
        }
        for i in IDS
    ]
    papers_file = write_jsonl(tmp_path / "papers.jsonl", rows)
    paperwire(other, "migrate", "-v", "0")
    paperwire(other, "import", str(papers_file))
    printed = paperwire(other, "import-community", str(exported))
    assert "imported 3 members, 3 votes, 2 comments, 1 submissions, 1 reports" in printed
    paperwire(other, "export", "--out", str(tmp_path / "second.json"))
    second = json.loads((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert second == first
    # And back into this database, emptied of its community.
    wipe_community()
    assert export_community()["members"] == []
    report = import_community(second)
    assert report.skipped == []
    assert export_community() == first
    assert {p.arxiv_id: (p.upvotes, p.num_comments) for p in Paper.objects.all()} == counts


def test_rows_naming_a_paper_not_here_are_skipped_and_a_wrong_file_is_refused(tmp_path: Path) -> None:
    build_community()
    data = export_community()
    wipe_community()
    Paper.objects.filter(arxiv_id=IDS[0]).delete()
    report = import_community(data)
    assert report.created["votes"] == 1 and report.created["comments"] == 0  # both comments were on it
    assert "vote naming 2606.00021" in report.skipped and "comment naming 2606.00021" in report.skipped
    assert "report of comment 2, which was skipped" in report.skipped
    with pytest.raises(BadExport):
        import_community({"format": "something-else", "version": 1})
    bad: Any = {"format": "paperwire-community", "version": 99}
    with pytest.raises(BadExport):
        import_community(bad)
