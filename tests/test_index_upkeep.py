"""Index upkeep: a run on unchanged data writes nothing, and a row committed late is never missed."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.core.management import call_command

from paperwire.papers.models import Paper
from paperwire.search import engine
from paperwire.search.models import PaperVector
from paperwire.search.store import _stamp, last_read_at, search_dir, update_indexes
from tests.conftest import demo_rows
from tests.search_fixtures import import_slice

N = 120


def test_a_second_index_run_writes_nothing(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, N)  # imports, then indexes: every row is younger than the margin
    out = io.StringIO()
    call_command("index", stdout=out)
    assert "0 paper(s) written, 120 in all" in out.getvalue()
    assert "0 vector(s) written, 120 in all" in out.getvalue()
    stamps = _stamp("keyword"), _stamp("vectors")
    report = update_indexes()
    assert (report.keyword_added, report.vectors_added) == (0, 0)
    assert not report.keyword_rebuilt and not report.vectors_rebuilt
    assert (_stamp("keyword"), _stamp("vectors")) == stamps  # web workers keep their opened indexes


def test_a_changed_paper_is_written_once(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, N)
    paper = Paper.objects.get(arxiv_id=demo_rows(N)[7]["id"])
    paper.title = "Zyxwvutsr: a renamed paper"
    paper.save()
    assert update_indexes().keyword_added == 1
    assert update_indexes().keyword_added == 0
    assert [h.paper.pk for h in engine.search("zyxwvutsr", mode="keyword").hits] == [paper.pk]


def test_a_row_committed_after_the_run_began_but_stamped_before_it_is_taken_in(
    db: None, tmp_path: Path
) -> None:
    import_slice(tmp_path, N)
    update_indexes()
    read_at = last_read_at("keyword")
    assert read_at is not None
    # A transaction that stamped its rows 10 s before the last run began reading and committed
    # after it: the rows are older than that run, yet it never saw them.
    stamped = read_at - dt.timedelta(seconds=10)
    paper = Paper.objects.get(arxiv_id=demo_rows(N)[9]["id"])
    Paper.objects.filter(pk=paper.pk).update(title="Qwertyuiop lattices", modified_at=stamped)
    other = PaperVector.objects.get(paper__arxiv_id=demo_rows(N)[10]["id"])
    PaperVector.objects.filter(pk=paper.pk).update(data=other.data, updated_at=stamped)
    report = update_indexes()
    assert (report.keyword_added, report.vectors_added) == (1, 1)
    assert [h.paper.pk for h in engine.search("qwertyuiop", mode="keyword").hits] == [paper.pk]
    assert update_indexes().keyword_added == 0


def test_a_lost_side_file_only_costs_a_rewrite(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, N)
    (search_dir() / "keyword.recent.npz").unlink()
    assert update_indexes().keyword_added == N  # all were stamped within the margin: taken in again
    assert update_indexes().keyword_added == 0
