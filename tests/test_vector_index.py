"""The usearch vector index: approximate but near-exact, memory-mapped and shared by every worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from paperwire.search import ann
from tests.search_fixtures import DEMO_VECTORS

ROOT = Path(__file__).resolve().parents[1]


def demo_index(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    """Save a graph of the demo set's 3,390 real vectors; return (file, labels, float32 vectors)."""
    vectors = np.load(DEMO_VECTORS).astype(np.float32)
    labels = np.arange(len(vectors), dtype=np.int64) * 7 + 3  # paper pks need not be dense
    index = ann.new_index()
    ann.add(index, labels, vectors)
    path = tmp_path / "vectors.usearch"
    ann.save_index(index, path)
    return path, labels, vectors


def test_the_graph_finds_each_paper_first_and_the_exact_neighbours(tmp_path: Path) -> None:
    path, labels, vectors = demo_index(tmp_path)
    graph = ann.VectorSearcher(ann.view_index(path), labels, vectors.astype(np.float16))
    graph.small = None  # search the graph even below EXACT_BELOW
    picks = range(0, len(vectors), len(vectors) // 30)[:30]
    self_hits, recall = 0, []
    for i in picks:
        found = [label for label, _ in graph.search(vectors[i], 10)]
        truth = [label for label, _ in ann.exact(vectors, labels, vectors[i], 10)]
        self_hits += found[0] == labels[i]
        recall.append(len(set(found) & set(truth)) / 10)
    assert self_hits >= 28, self_hits  # a graph is approximate: near-duplicates may tie
    assert float(np.mean(recall)) >= 0.95, recall


def test_a_vector_added_again_replaces_the_old_one(tmp_path: Path) -> None:
    path, labels, vectors = demo_index(tmp_path)
    index = ann.load_index(path)
    ann.add(index, labels[:1], vectors[500:501])  # paper 0's text changed to paper 500's
    assert len(index) == len(labels)
    ann.save_index(index, path)
    found = ann.view_index(path).search(vectors[500], 2, threads=1)
    assert sorted(int(k) for k in found.keys) == sorted([int(labels[0]), int(labels[500])])


def test_a_filtered_search_scores_the_allowed_papers_exactly(tmp_path: Path) -> None:
    path, labels, vectors = demo_index(tmp_path)
    graph = ann.VectorSearcher(ann.view_index(path), labels, vectors.astype(np.float16))
    graph.small = None
    allowed = labels[1::3].tolist()  # a filter that passes a third of the papers
    got = graph.search_among(vectors[0], 10, allowed)
    mask = np.isin(labels, allowed)
    expected = ann.exact(vectors[mask], labels[mask], vectors[0], 10)
    assert [label for label, _ in got] == [label for label, _ in expected]
    assert all(label in set(allowed) for label, _ in got)


WORKER = """
import sys
from pathlib import Path
import numpy as np
from paperwire.search import ann
def anon():
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("RssAnon:")).split()[1])
before = anon()
index = ann.view_index(sys.argv[1])
index.search(np.ones(384, dtype=np.float32) / 384**0.5, 10, threads=1, exact=True)  # reads every vector
print("ready", anon() - before, flush=True)
sys.stdin.readline()
"""


def mapping(pid: int, path: Path) -> dict[str, int]:
    """Return the smaps fields (kB) of pid's mapping of path, summed over its pieces."""
    fields: dict[str, int] = {}
    inside = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
            inside = line.endswith(str(path))
        elif inside and line.endswith(" kB"):
            name, value = line.split(":")
            fields[name] = fields.get(name, 0) + int(value.split()[0])
    return fields


def test_several_workers_map_one_copy_of_the_index_file(tmp_path: Path) -> None:
    # 30k vectors (a 25 MB file): large enough that a private copy would show.
    rng = np.random.default_rng(9)
    vectors = rng.standard_normal((30_000, ann.DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = ann.new_index()
    index.expansion_add = 16  # type: ignore[misc]  # a rough graph builds fast; only its size matters here
    ann.add(index, np.arange(len(vectors)), vectors, threads=0)
    path = tmp_path / "vectors.usearch"
    ann.save_index(index, path)
    file_kb = path.stat().st_size // 1024
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    try:
        grown = []
        for w in workers:
            assert w.stdout is not None
            word, kb = w.stdout.readline().split()
            assert word == "ready"
            grown.append(int(kb))
        for w, anon_kb in zip(workers, grown, strict=True):
            m = mapping(w.pid, path)
            assert m.get("Rss", 0) >= file_kb * 0.9, m  # every vector was read through the mapping
            assert m["Pss"] <= m["Rss"] / 2, m  # ... and its pages are shared by the three workers
            assert m.get("Private_Dirty", 0) == 0, m
            assert anon_kb < file_kb / 4, f"opening the index grew private memory by {anon_kb} kB"
    finally:
        for w in workers:
            assert w.stdin is not None
            w.stdin.close()
            w.wait(timeout=30)


def test_a_vector_update_appends_new_rows_and_replaces_changed_ones_in_label_order() -> None:
    """The day's update appends (its labels follow every old one); a re-embedded paper replaces its row."""
    from paperwire.search.ann import merge_matrix

    old_labels = np.array([1, 3, 5])
    old = np.arange(9, dtype=np.float16).reshape(3, 3)
    labels, matrix = merge_matrix(old_labels, old, np.array([8, 9]), np.full((2, 3), 7.0))
    assert labels.tolist() == [1, 3, 5, 8, 9]
    assert matrix.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [7, 7, 7], [7, 7, 7]]
    labels, matrix = merge_matrix(old_labels, old, np.array([3, 2]), np.array([[9.0] * 3, [4.0] * 3]))
    assert labels.tolist() == [1, 2, 3, 5]
    assert matrix.tolist() == [[0, 1, 2], [4, 4, 4], [9, 9, 9], [6, 7, 8]]
    assert matrix.dtype == np.float16 and labels.dtype == np.int64
