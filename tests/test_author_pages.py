"""An author's page lists the papers that name them exactly (case aside), newest first, found
through the keyword index's author field, and the same when the index is missing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from paperwire.community.moderation import set_papers_hidden
from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper
from paperwire.search.store import keyword_path, update_indexes

from .conftest import write_jsonl

pytestmark = pytest.mark.django_db

AUTHORS = [["Wei Wang"], ["Wei Wang Jr"], ["Ada Lovelace", "wei wang"], ["Wang Wei"], ["Wei Wang", "Li Na"]]


def load(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {
            "id": f"2605.{i:05d}",
            "title": f"Paper {i}",
            "abstract": "We study names.",
            "authors": names,
            "categories": ["cs.LG"],
            "published": f"2026-05-{10 + i:02d}",
            "announced": f"2026-05-{10 + i:02d}",
        }
        for i, names in enumerate(AUTHORS)
    ]
    import_files([write_jsonl(tmp_path / "a.jsonl", rows)])
    update_indexes()


def listed(name: str = "Wei Wang") -> list[str]:
    return [p["id"] for p in Client().get(f"/authors/{name}", {"format": "json"}).json()["papers"]]


def test_the_page_lists_exact_names_newest_first_from_the_index(tmp_path: Path) -> None:
    load(tmp_path)
    assert listed() == ["2605.00004", "2605.00002", "2605.00000"]
    assert listed("WEI WANG") == listed()
    set_papers_hidden(Paper.objects.filter(arxiv_id="2605.00004").values_list("pk", flat=True), True)
    assert listed() == ["2605.00002", "2605.00000"]


def test_a_new_paper_shows_once_the_node_indexes_it(tmp_path: Path) -> None:
    load(tmp_path)
    new = {"id": "2605.00099", "title": "Later", "abstract": "More names.", "authors": ["Wei Wang"]}
    new |= {"categories": ["cs.LG"], "published": "2026-05-30", "announced": "2026-05-30"}
    import_files([write_jsonl(tmp_path / "b.jsonl", [new])])
    assert "2605.00099" not in listed()  # the index answers: it has not seen the paper yet
    update_indexes()
    assert listed()[0] == "2605.00099"


def test_without_an_index_the_database_gives_the_same_list(tmp_path: Path) -> None:
    load(tmp_path)
    from_index = listed()
    shutil.rmtree(keyword_path())
    assert listed() == from_index
