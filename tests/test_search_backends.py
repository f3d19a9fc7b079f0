"""SQLite and PostgreSQL give the same search results: the database only feeds the index files,
so the backend must not change a ranking. Run in the PostgreSQL half of `make test`, it compares
this process's PostgreSQL results with those of a `paperwire` process on SQLite, same papers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paperwire.search import engine
from tests.conftest import ROOT
from tests.search_fixtures import import_slice, write_slice

N = 300  # real demo papers with their shipped vectors
QUERIES = [
    "graph neural networks",
    "reinforcement learning for robots",
    "medical image segmentation",
    "large language model safety",
    "cat:cs.CV diffusion",
]
# Prints every query's top ids in every mode and sort, as JSON, in a `paperwire shell`.
SCRIPT = f"""
import json
from paperwire.search import engine
queries = {QUERIES!r}
print(json.dumps({{
    f"{{q}} | {{m}} | {{s}}": [h.paper.arxiv_id for h in engine.search(q, mode=m, sort=s, limit=5).hits]
    for q in queries for m in engine.MODES for s in engine.SORTS
}}))
"""


def results_here() -> dict[str, list[str]]:
    return {
        f"{q} | {m} | {s}": [h.paper.arxiv_id for h in engine.search(q, mode=m, sort=s, limit=5).hits]
        for q in QUERIES
        for m in engine.MODES
        for s in engine.SORTS
    }


def results_on_sqlite(folder: Path) -> dict[str, list[str]]:
    """Import the same papers into a fresh SQLite database in another process and search there."""
    papers, vectors = write_slice(folder, N)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'other.sqlite3'}",
        "PAPERWIRE_DATA_DIR": str(folder / "data"),
    }

    def paperwire(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "paperwire", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    paperwire("migrate", "-v0")
    paperwire("import", str(papers), "--vectors", str(vectors))
    paperwire("index")
    return json.loads(paperwire("shell", "-c", SCRIPT).strip().splitlines()[-1])


def test_sqlite_and_postgresql_give_the_same_results_in_every_mode_and_sort(
    db: None, tmp_path: Path, settings: Any
) -> None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("compared in the PostgreSQL half of `make test` (this process on PostgreSQL vs SQLite)")
    (tmp_path / "here").mkdir()
    import_slice(tmp_path / "here", N)
    here = results_here()
    assert sum(bool(ids) for ids in here.values()) >= len(here) - 1, here  # the queries find papers
    (tmp_path / "sqlite").mkdir()
    assert results_on_sqlite(tmp_path / "sqlite") == here
