"""The feed pages: latest day, days, ISO weeks, months, filters, sorts, pages, errors, JSON twins."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client

from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper

from .conftest import demo_rows, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def days() -> Counter[str]:
    """Return the demo set's listing days with their paper counts."""
    return Counter(r["announced"] for r in demo_rows())


def ids_on(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


def test_home_shows_the_latest_listing_day(client: Client, demo_papers: int, days: Counter[str]) -> None:
    latest = max(days)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert dt.date.fromisoformat(latest).strftime("%-d %B %Y") in html
    assert f"{days[latest]} papers" in html
    assert len(ids_on(html)) == 30  # the first page


def test_a_day_page_lists_that_days_papers_and_links_neighbours_skipping_empty_days(
    client: Client, demo_papers: int, days: Counter[str]
) -> None:
    ordered = sorted(days)
    # A Monday's previous listing day is the Friday before: the weekend has no listing.
    monday = next(d for d in ordered[1:] if dt.date.fromisoformat(d).weekday() == 0)
    before = ordered[ordered.index(monday) - 1]
    after = ordered[ordered.index(monday) + 1]
    html = client.get(f"/papers/date/{monday}?format=json").json()
    assert html["total"] == days[monday]
    assert html["previous"] == before and html["next"] == after
    assert dt.date.fromisoformat(before).weekday() == 4
    page = client.get(f"/papers/date/{monday}").content.decode()
    assert f'href="/papers/date/{before}"' in page and f'href="/papers/date/{after}"' in page


def test_the_first_day_has_no_previous_link_and_the_last_no_next(
    client: Client, demo_papers: int, days
) -> None:
    first, last = min(days), max(days)
    assert client.get(f"/papers/date/{first}?format=json").json()["previous"] is None
    assert client.get(f"/papers/date/{last}?format=json").json()["next"] is None


def test_week_pages_cover_monday_to_sunday(client: Client, demo_papers: int, days: Counter[str]) -> None:
    day = dt.date.fromisoformat(max(days))
    year, week, _ = day.isocalendar()
    monday = day - dt.timedelta(days=day.weekday())
    expected = sum(
        n for d, n in days.items() if monday <= dt.date.fromisoformat(d) <= monday + dt.timedelta(6)
    )
    data = client.get(f"/papers/week/{year}-W{week:02d}?format=json").json()
    assert data["total"] == expected
    assert data["period"]["start"] == monday.isoformat()
    assert data["period"]["end"] == (monday + dt.timedelta(6)).isoformat()
    assert data["previous"] == f"{year}-W{week - 1:02d}"


def test_a_paper_on_the_boundary_belongs_to_its_own_week_and_month(client: Client, db: None) -> None:
    rows = demo_rows(2)
    # Sunday 2026-05-31 ends ISO week 22 and May; Monday 2026-06-01 starts week 23 and June.
    rows[0] = {**rows[0], "announced": "2026-05-31"}
    rows[1] = {**rows[1], "announced": "2026-06-01"}
    with tempfile.TemporaryDirectory() as d:
        import_files([write_jsonl(Path(d) / "b.jsonl", rows)])
    assert [p["id"] for p in client.get("/papers/week/2026-W22?format=json").json()["papers"]] == [
        rows[0]["id"]
    ]
    assert [p["id"] for p in client.get("/papers/week/2026-W23?format=json").json()["papers"]] == [
        rows[1]["id"]
    ]
    assert [p["id"] for p in client.get("/papers/month/2026-05?format=json").json()["papers"]] == [
        rows[0]["id"]
    ]
    assert [p["id"] for p in client.get("/papers/month/2026-06?format=json").json()["papers"]] == [
        rows[1]["id"]
    ]
    # ISO week 1 of 2026 starts on Monday 2025-12-29.
    assert client.get("/papers/week/2026-W01?format=json").json()["period"]["start"] == "2025-12-29"


def test_month_pages_count_every_paper_of_the_month(client: Client, demo_papers: int, days) -> None:
    june = sum(n for d, n in days.items() if d.startswith("2026-06"))
    assert client.get("/papers/month/2026-06?format=json").json()["total"] == june


def test_the_category_filter_includes_cross_lists(client: Client, demo_papers: int, days) -> None:
    day = max(days)
    expected = {r["id"] for r in demo_rows() if r["announced"] == day and "cs.LG" in r["categories"]}
    seen: set[str] = set()
    page = 1
    while True:
        data = client.get(f"/papers/date/{day}?category=cs.LG&page={page}&format=json").json()
        seen |= {p["id"] for p in data["papers"]}
        if page >= data["pages"]:
            break
        page += 1
    assert seen == expected
    assert any(p["primary_category"] != "cs.LG" for p in Paper.objects.filter(arxiv_id__in=expected).values())


def test_trending_puts_the_most_upvoted_first_and_newest_sorts_by_id(
    client: Client, demo_papers: int, days
) -> None:
    day = max(days)
    ids = sorted((r["id"] for r in demo_rows() if r["announced"] == day), reverse=True)
    Paper.objects.filter(arxiv_id=ids[-1]).update(upvotes=5)
    Paper.objects.filter(arxiv_id=ids[-2]).update(hf_upvotes=3)
    trending = [p["id"] for p in client.get(f"/papers/date/{day}?format=json").json()["papers"]]
    assert trending[:3] == [ids[-1], ids[-2], ids[0]]
    newest = [p["id"] for p in client.get(f"/papers/date/{day}?sort=newest&format=json").json()["papers"]]
    assert newest == ids[:30]


def test_pages_of_results_cover_the_day_once(client: Client, demo_papers: int, days) -> None:
    day = max(days)
    data = client.get(f"/papers/date/{day}?format=json").json()
    seen = []
    for page in range(1, data["pages"] + 1):
        seen += [p["id"] for p in client.get(f"/papers/date/{day}?page={page}&format=json").json()["papers"]]
    assert len(seen) == len(set(seen)) == days[day]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/papers/date/2026-13-45", 400),  # no such month or day
        ("/papers/date/26-07-01", 400),  # malformed
        ("/papers/date/2026-07-01%3Cscript%3E", 400),
        ("/papers/week/2026-W54", 400),  # no ISO week 54
        ("/papers/month/2026-00", 400),
        ("/papers/date/1999-01-04", 404),  # a real day with nothing listed
        ("/papers/date/2026-07-01?page=99", 404),  # past the last page
        ("/papers/date/2026-07-01?page=zero", 400),
        ("/papers/2607.99999", 404),  # a well-formed id nobody has
        ("/papers/not-an-id", 404),
        ("/no/such/page", 404),
    ],
)
def test_bad_dates_give_400_and_unknown_things_404(
    client: Client, demo_papers: int, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert b"paperwire" in response.content  # the site's own error page, not a bare one


def test_the_400_page_says_what_was_wrong_without_echoing_markup(client: Client, db: None) -> None:
    response = client.get("/papers/date/<b>x")
    body = response.content.decode()
    assert response.status_code == 400
    assert "<b>x" not in body and "&lt;b&gt;x" in body


def test_the_paper_page_shows_everything_known(client: Client, db: None) -> None:
    import_files([Path(__file__).parent / "fixtures" / "kaggle-layout.jsonl"])
    html = client.get("/papers/0704.0001").content.decode()
    for text in [
        "Calculation of prompt diphoton production cross sections",
        "C. Balázs",
        "P. M. Nadolsky",
        "Phys.Rev.D76:013009,2007",
        "https://doi.org/10.1103/PhysRevD.76.013009",
        "https://arxiv.org/abs/0704.0001",
        "https://arxiv.org/pdf/0704.0001",
        "hep-ph",
        "37 pages, 15 figures",
        '<a href="https://arxiv.org/abs/0704.0001v1" rel="noopener">v1</a> · <time datetime="2007-04-02">',
        '<a href="https://arxiv.org/abs/0704.0001v2" rel="noopener">v2</a> · <time datetime="2007-07-24">',
    ]:
        assert text in html, text
    old = client.get("/papers/hep-th/0110165")
    assert old.status_code == 200 and b"Twisted Parafermions" in old.content
    # A versioned id or a different spelling redirects to the paper's one address.
    assert client.get("/papers/0704.0001v2").headers["Location"] == "/papers/0704.0001"


def test_each_page_has_a_json_twin_with_the_same_papers(client: Client, demo_papers: int, days) -> None:
    day = max(days)
    html_ids = ids_on(client.get(f"/papers/date/{day}").content.decode())
    json_ids = [p["id"] for p in client.get(f"/papers/date/{day}?format=json").json()["papers"]]
    assert html_ids == json_ids
    one = client.get(f"/papers/{json_ids[0]}?format=json").json()
    assert one["id"] == json_ids[0] and one["abs_url"].endswith(json_ids[0])


def test_hidden_papers_are_not_shown(client: Client, demo_papers: int, days) -> None:
    day = max(days)
    first = client.get(f"/papers/date/{day}?format=json").json()["papers"][0]["id"]
    Paper.objects.filter(arxiv_id=first).update(hidden=True)
    assert first not in [p["id"] for p in client.get(f"/papers/date/{day}?format=json").json()["papers"]]
    assert client.get(f"/papers/{first}").status_code == 404
