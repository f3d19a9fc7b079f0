"""Write tests/fixtures/search/query-vectors.json: sentence-transformers' vectors of short queries.

Run once, in a throw-away environment that has torch and sentence-transformers (never a
paperwire dependency); the ONNX Runtime path is checked against the file it writes:

    python scripts/make_query_vectors.py MODEL_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

QUERIES = [
    "graph neural networks",
    "attention is all you need",
    "diffusion models for protein design",
    "LLM safety",
    "dark matter halos",
    "quantum error correction with surface codes",
    "reinforcement learning for robots",
    "x",
    "Schrödinger équation — résolution numérique",
    'NEAR( *: "unbalanced',
]
OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "search" / "query-vectors.json"


def main() -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(sys.argv[1], device="cpu")
    assert model.max_seq_length == 256
    vectors = model.encode(QUERIES, normalize_embeddings=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"query": q, "vector": [round(float(x), 7) for x in v]} for q, v in zip(QUERIES, vectors, strict=True)
    ]
    OUT.write_text(
        json.dumps({"model": "all-MiniLM-L6-v2", "made_with": "sentence-transformers", "rows": rows})
    )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
