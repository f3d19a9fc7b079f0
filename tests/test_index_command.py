"""`paperwire index [--rebuild]`: the search index files brought up to the database, or rebuilt."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from paperwire.papers.models import Paper
from paperwire.search import engine
from paperwire.search.store import keyword_path
from tests.conftest import demo_rows
from tests.search_fixtures import import_slice

N = 20


def index(*args: str) -> str:
    out = io.StringIO()
    call_command("index", *args, stdout=out)
    return out.getvalue()


def test_index_rebuild_starts_over_from_the_database(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, N)  # imported with vectors and indexed
    gone = demo_rows(N)[3]
    Paper.objects.filter(arxiv_id=gone["id"]).delete()  # deleted behind the index's back
    before = {p.name for p in keyword_path().iterdir()}
    out = index("--rebuild")
    assert "keyword index rebuilt" in out and "vector index rebuilt" in out, out
    assert out.count(f"{N - 1} in all") == 2, out  # both indexes hold exactly the papers left
    assert {p.name for p in keyword_path().iterdir()} != before  # new segment files, written afresh
    kept = demo_rows(N)[5]
    hits = engine.search(kept["title"], mode="keyword", limit=1, pin=False).hits
    assert hits[0].paper.arxiv_id == kept["id"]


def test_index_without_rebuild_updates_in_place(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, N)
    out = index()
    assert "keyword index updated" in out and "vector index updated" in out, out
    assert out.count(f"{N} in all") == 2, out
