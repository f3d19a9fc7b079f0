"""`paperwire embed` as a backfill: it says how long a large CPU run will take before going on,
goes on where a stopped run left off, and never holds every paper's text at once."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperwire.search import jobs
from paperwire.search.management.commands import embed as embed_command
from paperwire.search.models import PaperVector
from tests.conftest import demo_rows
from tests.search_fixtures import DEMO_VECTORS, import_slice

pytestmark = pytest.mark.django_db


def test_a_large_cpu_backfill_first_says_how_long_it_will_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_slice(tmp_path, 12, vectors=False)
    monkeypatch.setattr(embed_command, "LARGE", 10)  # 12 papers count as large here
    monkeypatch.setattr(embed_command, "PROBE", 4)
    out = io.StringIO()
    call_command("embed", stdout=out)
    text = out.getvalue()
    assert "12 papers to embed on the CPU; the first 4 took" in text
    assert "papers/s), so the rest will take about" in text
    assert "Going on" in text  # not a terminal: it says so and goes on
    assert "embedded 12 paper(s)" in text
    assert PaperVector.objects.count() == 12


def test_a_backfill_stopped_part_way_goes_on_with_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_slice(tmp_path, 9, vectors=False)
    monkeypatch.setitem(jobs.STEP, "cpu", 2)  # stored two at a time
    call_command("embed", "--limit", "5", stdout=io.StringIO())
    assert PaperVector.objects.count() == 5
    out = io.StringIO()
    call_command("embed", stdout=out)
    assert "embedded 4 paper(s)" in out.getvalue()
    shipped = np.load(DEMO_VECTORS, mmap_mode="r")
    for i, row in enumerate(demo_rows(9)):
        v = PaperVector.objects.get(paper__arxiv_id=row["id"]).array()
        assert float(v @ shipped[i].astype(np.float32)) >= 0.999


def test_papers_to_embed_are_read_in_keyset_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_slice(tmp_path, 7, vectors=False)
    monkeypatch.setitem(jobs.STEP, "cuda", 3)  # the chunk read from the database
    chunks = [len(c) for c in jobs._missing()]
    assert chunks == [3, 3, 1]
    assert jobs.count_to_embed() == 7


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(CommandError, match="--batch"):
        call_command("embed", "--batch", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--limit"):
        call_command("embed", "--limit", "-1", stdout=io.StringIO())
