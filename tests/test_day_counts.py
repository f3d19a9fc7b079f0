"""The day counts that feed pages read (period totals, category counts, neighbouring periods)
stay equal to a count of the papers themselves, whoever writes the papers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from paperwire.community.moderation import set_papers_hidden
from paperwire.community.votes import set_vote
from paperwire.papers.importer import import_files
from paperwire.papers.models import DayCount, Paper, PaperCategory

from .community_data import make_member
from .conftest import write_jsonl

pytestmark = pytest.mark.django_db


def record(i: int, day: str, categories: list[str]) -> dict[str, Any]:
    """Return a sample-layout record announced on day."""
    return {
        "id": f"2605.{i:05d}",
        "title": f"Paper {i}",
        "abstract": "We count things.",
        "authors": ["Ada Lovelace"],
        "categories": categories,
        "published": day,
        "announced": day,
    }


def counted() -> dict[tuple[dt.date, str], int]:
    """Return the day counts that have papers."""
    return {(r.listing_day, r.code): r.n for r in DayCount.objects.filter(n__gt=0)}


def recounted() -> dict[tuple[dt.date, str], int]:
    """Return the same counts, counted from the visible papers and their category rows."""
    out = {
        (r["listing_day"], ""): r["n"]
        for r in Paper.objects.filter(hidden=False).values("listing_day").annotate(n=Count("id"))
    }
    rows = (
        PaperCategory.objects.filter(paper__hidden=False)
        .values("paper__listing_day", "code")
        .annotate(n=Count("id"))
    )
    out.update({(r["paper__listing_day"], r["code"]): r["n"] for r in rows})
    return out


def load(tmp_path: Path, rows: list[dict[str, Any]], name: str = "a.jsonl") -> None:
    import_files([write_jsonl(tmp_path / name, rows)])


def test_an_import_counts_each_day_and_category(tmp_path: Path) -> None:
    load(tmp_path, [record(i, f"2026-05-0{1 + i % 3}", ["cs.LG", "stat.ML"][: 1 + i % 2]) for i in range(30)])
    assert counted() == recounted()
    assert counted()[(dt.date(2026, 5, 1), "")] == 10
    assert counted()[(dt.date(2026, 5, 2), "stat.ML")] == 5  # the odd i of the ten with i % 3 == 1


def test_hiding_showing_moving_recategorising_and_deleting_keep_the_counts(tmp_path: Path) -> None:
    load(tmp_path, [record(i, "2026-05-01", ["cs.LG"]) for i in range(6)])
    ids = list(Paper.objects.order_by("arxiv_id").values_list("pk", flat=True))
    set_papers_hidden(ids[:2], True)
    assert counted()[(dt.date(2026, 5, 1), "cs.LG")] == 4
    set_papers_hidden(ids[:1], False)
    assert counted() == recounted()
    # A newer version lists paper 3 on another day with other categories.
    moved = record(3, "2026-05-04", ["math.AG", "cs.LG"])
    load(tmp_path, [moved], "b.jsonl")
    Paper.objects.filter(arxiv_id="2605.00003").update(listing_day=dt.date(2026, 5, 4))
    assert counted() == recounted()
    assert counted()[(dt.date(2026, 5, 4), "math.AG")] == 1
    Paper.objects.filter(pk=ids[4]).delete()
    assert counted() == recounted()
    assert sum(n for (day, code), n in counted().items() if code == "") == 4


def test_a_vote_moves_no_count(tmp_path: Path) -> None:
    load(tmp_path, [record(1, "2026-05-01", ["cs.LG"])])
    before = list(DayCount.objects.order_by("pk").values_list("pk", "n"))
    set_vote(make_member("voter", password=False), Paper.objects.get(), True)
    assert Paper.objects.get().upvotes == 1
    assert list(DayCount.objects.order_by("pk").values_list("pk", "n")) == before


def test_pages_show_the_counts_and_step_over_periods_without_papers_of_a_category(tmp_path: Path) -> None:
    rows = [record(i, "2026-03-10", ["hep-th"]) for i in range(3)]
    rows += [record(10 + i, "2026-04-10", ["cs.LG"]) for i in range(4)]
    rows += [record(20 + i, "2026-05-10", ["hep-th", "cs.LG"]) for i in range(2)]
    load(tmp_path, rows)
    body = Client().get("/papers/month/2026-05", {"format": "json", "category": "hep-th"}).json()
    assert body["total"] == 2
    assert body["previous"] == "2026-03"  # April has no hep-th paper
    assert {c["code"]: c["count"] for c in body["categories"]} == {"hep-th": 2, "cs.LG": 2}
    april = Client().get("/papers/month/2026-04", {"format": "json"}).json()
    assert (april["total"], april["previous"], april["next"]) == (4, "2026-03", "2026-05")
    april_ids = Paper.objects.filter(listing_day=dt.date(2026, 4, 10)).values_list("pk", flat=True)
    set_papers_hidden(april_ids, True)
    may = Client().get("/papers/month/2026-05", {"format": "json"}).json()
    assert may["previous"] == "2026-03"  # April's papers are all hidden now


def test_counts_emptied_before_their_papers_do_not_go_negative(tmp_path: Path) -> None:
    load(tmp_path, [record(i, "2026-05-01", ["cs.LG"]) for i in range(3)])
    DayCount.objects.all().delete()  # as a test flush may, before the papers
    Paper.objects.all().delete()
    assert not DayCount.objects.filter(n__lt=0).exists()
    load(tmp_path, [record(9, "2026-05-01", ["cs.LG"])], "b.jsonl")
    assert counted() == recounted() == {(dt.date(2026, 5, 1), ""): 1, (dt.date(2026, 5, 1), "cs.LG"): 1}


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_refreshing_statistics_after_an_import_gives_the_planner_row_counts(tmp_path: Path) -> None:
    from django.db import connection

    from paperwire.papers.maintenance import refresh_statistics

    load(tmp_path, [record(i, "2026-05-01", ["cs.LG"]) for i in range(20)])
    report = refresh_statistics()
    assert report.tables == ["papers_paper", "papers_papercategory", "papers_daycount"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'papers_paper'")
        else:
            cursor.execute("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE idx = 'paper_day_walk'")
        assert cursor.fetchone()[0] == 20


@pytest.mark.django_db(transaction=True)  # the command's VACUUM cannot run inside a transaction
def test_a_big_import_refreshes_statistics_as_it_ends_and_a_small_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import io

    from django.core.management import call_command

    command = importlib.import_module("paperwire.web.management.commands.import")  # "import" is a keyword

    monkeypatch.setattr(command, "REFRESH_AFTER", 5)  # stands in for 10,000 papers
    out = io.StringIO()
    call_command(
        "import",
        str(write_jsonl(tmp_path / "few.jsonl", [record(i, "2026-05-01", []) for i in range(4)])),
        stdout=out,
    )
    assert "planner statistics" not in out.getvalue()
    out = io.StringIO()
    call_command(
        "import",
        str(write_jsonl(tmp_path / "many.jsonl", [record(i, "2026-05-02", []) for i in range(10, 16)])),
        stdout=out,
    )
    assert "refreshed planner statistics of papers_paper" in out.getvalue()


def test_statistics_refresh_inside_a_transaction_analyses_instead_of_failing(tmp_path: Path) -> None:
    from paperwire.papers.maintenance import refresh_statistics

    load(tmp_path, [record(i, "2026-05-01", ["cs.LG"]) for i in range(3)])
    assert refresh_statistics().tables[0] == "papers_paper"  # VACUUM here would raise on PostgreSQL
