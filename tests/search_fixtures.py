"""Small real search fixtures: the first papers of the demo set with their shipped vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.core.management import call_command

from tests.conftest import DEMO, demo_rows, write_jsonl

DEMO_VECTORS = DEMO.with_name("papers.minilm-f16.npy")


def write_slice(folder: Path, n: int) -> tuple[Path, Path]:
    """Write the first n demo papers and their vectors (row i = line i) into folder."""
    papers = write_jsonl(folder / "papers.jsonl", demo_rows(n))
    vectors = folder / "papers.npy"
    np.save(vectors, np.load(DEMO_VECTORS, mmap_mode="r")[:n])
    return papers, vectors


def import_slice(folder: Path, n: int, *, vectors: bool = True) -> None:
    """Import the first n demo papers (with vectors unless told) and build the indexes."""
    from paperwire.search.store import update_indexes

    papers, vecs = write_slice(folder, n)
    call_command(
        "import", str(papers), **({"vectors": vecs} if vectors else {}), stdout=open("/dev/null", "w")
    )
    update_indexes()
