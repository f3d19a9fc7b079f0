"""Embeddings on ONNX Runtime: the graph built from the shipped weights, without torch, gives
sentence-transformers' vectors."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from paperwire.search import embedding
from tests.conftest import DEMO, demo_rows

ROOT = Path(__file__).resolve().parents[1]
QUERY_VECTORS = ROOT / "tests" / "fixtures" / "search" / "query-vectors.json"
SLICE = range(0, 2000, 40)  # 50 of the first 2,000 sample papers; bench/embed_speed.py --parity checks all


def sample_files() -> tuple[Path, Path]:
    """Return the shared sample and its vectors, or the bundled demo set and its vectors."""
    for folder in ROOT.parents:
        data = folder / "shared" / "data"
        if (data / "arxiv-sample.minilm-f16.npy").exists():
            return data / "arxiv-sample.jsonl.gz", data / "arxiv-sample.minilm-f16.npy"
    # Both were made the same way (sentence-transformers, the same text, 256 tokens).
    return DEMO, DEMO.with_name("papers.minilm-f16.npy")


def test_it_reproduces_the_shipped_vectors_of_sample_papers() -> None:
    papers, vectors = sample_files()
    with gzip.open(papers, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in itertools.islice(f, SLICE.stop)]
    shipped = np.load(vectors, mmap_mode="r")
    got = embedding.embed([embedding.paper_text(rows[i]["title"], rows[i]["abstract"]) for i in SLICE])
    cosines = np.sum(got * np.asarray(shipped[list(SLICE)], dtype=np.float32), axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.999, f"paper {rows[SLICE[worst]]['id']}: cosine {cosines[worst]:.5f}"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_query_vectors_match_sentence_transformers() -> None:
    rows = json.loads(QUERY_VECTORS.read_text())["rows"]
    for row in rows:
        got = embedding.embed_query(row["query"])
        cos = float(got @ np.asarray(row["vector"], dtype=np.float32))
        assert cos >= 0.999, f"{row['query']!r}: cosine {cos:.5f}"


def test_a_batch_gives_the_vectors_of_its_texts_one_by_one() -> None:
    texts = [embedding.paper_text(r["title"], r["abstract"]) for r in demo_rows(5)] + ["short", "x " * 400]
    together = embedding.embed(texts, batch=4)  # padded batches of mixed lengths, one truncated
    for text, vec in zip(texts, together, strict=True):
        assert float(vec @ embedding.embed([text])[0]) >= 0.99999


def test_the_model_is_built_once_into_the_cache(tmp_path: Path, settings: Any) -> None:
    settings.MODEL_CACHE_DIR = tmp_path / "cache"
    built = embedding.onnx_model()
    assert isinstance(built, str) and Path(built).parent == tmp_path / "cache"
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert names == [Path(built).name, Path(built).with_suffix(".weights").name]  # no temporary left
    stamp = Path(built).stat().st_mtime_ns
    assert embedding.onnx_model() == built and Path(built).stat().st_mtime_ns == stamp


def test_the_web_app_and_search_path_never_import_torch(tmp_path: Path) -> None:
    script = """
import sys, django
django.setup()
import paperwire.urls, paperwire.wsgi
from paperwire.search import engine, embedding, store, jobs
vector = embedding.embed_query("graph neural networks")
assert vector.shape == (384,)
heavy = sorted(
    m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "sentence_transformers")
)
print(",".join(heavy) or "none")
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperwire.settings",
        "PAPERWIRE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "none"
