"""`paperwire import`: both layouts, idempotence, invalid lines, strict mode."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper, PaperCategory

from .conftest import demo_rows, write_jsonl

KAGGLE = Path(__file__).parent / "fixtures" / "kaggle-layout.jsonl"
pytestmark = pytest.mark.django_db


def test_it_imports_the_sample_layout_from_gzip(tmp_path: Path) -> None:
    rows = demo_rows(50)
    report = import_files([write_jsonl(tmp_path / "a.jsonl.gz", rows, gz=True)])
    assert (report.read, report.created, report.updated, report.unchanged) == (50, 50, 0, 0)
    assert report.layouts == {str(tmp_path / "a.jsonl.gz"): "sample"}
    paper = Paper.objects.get(arxiv_id=rows[0]["id"])
    assert paper.title == rows[0]["title"]
    assert paper.authors == rows[0]["authors"]
    assert paper.categories == rows[0]["categories"]
    assert paper.primary_category == rows[0]["categories"][0]
    assert paper.listing_day == dt.date.fromisoformat(rows[0]["announced"])
    cats = set(PaperCategory.objects.filter(paper=paper).values_list("code", flat=True))
    assert cats == set(rows[0]["categories"])


def test_it_imports_the_kaggle_layout_with_versions_and_references() -> None:
    report = import_files([KAGGLE])
    assert report.layouts[str(KAGGLE)] == "kaggle"
    assert report.created == 3 and not report.invalid
    first = Paper.objects.get(arxiv_id="0704.0001")
    assert (
        first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert first.published == dt.date(2007, 4, 2) and first.updated == dt.date(2007, 7, 24)
    assert first.listing_day == dt.date(2007, 4, 2)
    assert [v["version"] for v in first.versions] == [1, 2] and first.latest_version == 2
    assert first.journal_ref == "Phys.Rev.D76:013009,2007" and first.doi == "10.1103/PhysRevD.76.013009"
    assert first.submitter == "Pavel Nadolsky"
    old = Paper.objects.get(arxiv_id="hep-th/0110165")
    assert old.categories == ["hep-th", "cond-mat", "math-ph", "math.MP", "nlin.SI"]
    assert Paper.objects.get(arxiv_id="1302.2146").versions[0]["size"] == "853kb"


def test_importing_the_same_file_twice_creates_and_updates_nothing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", demo_rows(40))
    import_files([path, KAGGLE])
    again = import_files([path, KAGGLE])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 43)
    assert Paper.objects.count() == 43
    assert PaperCategory.objects.count() == sum(len(p.categories) for p in Paper.objects.all())


def test_a_changed_record_updates_the_paper_and_keeps_its_votes(tmp_path: Path) -> None:
    rows = demo_rows(3)
    import_files([write_jsonl(tmp_path / "a.jsonl", rows)])
    Paper.objects.filter(arxiv_id=rows[1]["id"]).update(upvotes=7, num_comments=2)
    rows[1] = {**rows[1], "title": "A corrected title", "categories": ["cs.LG", "cs.AI"]}
    report = import_files([write_jsonl(tmp_path / "b.jsonl", rows)])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    paper = Paper.objects.get(arxiv_id=rows[1]["id"])
    assert (paper.title, paper.upvotes, paper.num_comments) == ("A corrected title", 7, 2)
    assert sorted(PaperCategory.objects.filter(paper=paper).values_list("code", flat=True)) == [
        "cs.AI",
        "cs.LG",
    ]


def test_invalid_lines_are_reported_with_reasons_and_the_rest_imports(tmp_path: Path) -> None:
    good = demo_rows(3)
    lines = [
        good[0],
        "{not json",  # bad JSON
        {**good[1], "title": ""},  # missing title
        {**good[1], "id": "12345.678"},  # malformed id
        {**good[1], "authors": "A. Person"},  # wrong type
        [1, 2, 3],  # not an object
        {**good[1], "announced": "yesterday", "published": None},  # not a date
        good[2],
    ]
    report = import_files([write_jsonl(tmp_path / "mixed.jsonl", lines)])
    assert report.read == 8 and report.created == 2
    reasons = {line: reason for _, line, reason in report.invalid}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "bad JSON" in reasons[2]
    assert "title" in reasons[3]
    assert "12345.678" in reasons[4]
    assert "authors" in reasons[5]
    assert "object" in reasons[6]
    assert "date" in reasons[7]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {good[0]["id"], good[2]["id"]}


def test_strict_mode_aborts_with_nothing_written(tmp_path: Path) -> None:
    rows = demo_rows(5)
    path = write_jsonl(tmp_path / "a.jsonl", [*rows, "{broken"])
    with pytest.raises(CommandError, match=r"a.jsonl:6: bad JSON"):
        call_command("import", str(path), "--strict", stdout=StringIO())
    assert Paper.objects.count() == 0


def test_a_truncated_gzip_file_keeps_what_was_read_and_reports_the_rest(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl.gz", demo_rows(3000), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a half-finished download
    report = import_files([path])
    assert report.invalid and "unreadable" in report.invalid[-1][2]
    assert 0 < report.created < 3000
    assert Paper.objects.count() == report.created
    whole = write_jsonl(tmp_path / "b.jsonl.gz", demo_rows(3000), gz=True)
    rerun = import_files([whole])
    assert rerun.created == 3000 - report.created and Paper.objects.count() == 3000


def test_the_command_prints_a_report(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [*demo_rows(4), {"id": "nope"}])
    out = StringIO()
    call_command("import", str(path), stdout=out)
    text = out.getvalue()
    assert "read 5, created 4, updated 0, unchanged 0, invalid 1" in text
    assert "a.jsonl:5" in text and "nope" in text


def test_a_missing_file_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "/nonexistent/papers.jsonl", stdout=StringIO())


def test_gzip_detection_reads_the_magic_bytes_not_the_name(tmp_path: Path) -> None:
    path = tmp_path / "papers.data"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps(demo_rows(1)[0]) + "\n")
    assert import_files([path]).created == 1


def test_a_line_that_is_not_utf8_is_reported_and_the_rest_imports(tmp_path: Path) -> None:
    rows = demo_rows(3)
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        json.dumps(rows[0]).encode()
        + b"\n"
        + '{"title": "Caf\u00e9"}'.encode("latin-1")
        + b"\n"
        + json.dumps(rows[1]).encode()
        + b"\n"
    )
    report = import_files([path])
    assert report.created == 2
    assert [(line, reason.split(":")[0]) for _, line, reason in report.invalid] == [(2, "not UTF-8")]
