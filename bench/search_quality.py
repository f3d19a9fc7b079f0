"""Search quality on the shared sample: MRR@10, recall@10 and nDCG@10 per query class and mode.

    .venv/bin/python bench/search_quality.py [--split dev|test|both] [--data-dir DIR]
    .venv/bin/python bench/search_quality.py --split dev --set keyword.MIN_MATCH=0 --set engine.RRF_K=20

The queries are bench/queries/*.jsonl, one file per class (exact titles, titles with typos or
missing words, plain-words descriptions, keyword lists, author + topic, questions, arXiv ids),
each line a query, its right paper and its split; bench/queries/pick.py says how they were made.
Levers are measured on the dev split; the test split is looked at once per change.

Each mode runs as served (exact titles and arXiv ids pinned first). The index files are built
from the sample with paperwire's own search modules on the first run and kept in --data-dir;
query vectors are kept there too (queries.npz), so a rerun embeds only new queries.
--set MODULE.NAME=VALUE overrides a constant of paperwire.search.MODULE for the run (levers).

--textbook adds two reference modes that are not paperwire's: "textbook" is plain BM25 (tantivy's
k1 1.2, b 0.75) over one field holding title and abstract, every query word optional, nothing
pinned, in a throwaway index in --data-dir; "textbook+rrf" fuses that list with the same vector
list by reciprocal rank (1 / (60 + rank)). They say how far paperwire's legs are from the usual
recipe on the same queries.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_data  # noqa: E402

QUERY_DIR = Path(__file__).with_name("queries")
CLASSES = ("title", "typo", "description", "keywords", "author", "question", "arxiv_id")
MODES = ("keyword", "vector", "hybrid")
TEXTBOOK_MODES = ("textbook", "textbook+rrf")
K = 10
TEXTBOOK_RRF_K = 60  # the constant of the RRF paper (Cormack et al. 2009)


def load_queries() -> list[dict]:
    """Return every query as {class, id, query, split}."""
    out = []
    for name in CLASSES:
        for line in (QUERY_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append({"class": name, **json.loads(line)})
    return out


def scores(ranked: list[int], answer: int) -> tuple[float, float, float]:
    """Return (reciprocal rank, recall, nDCG) at K of one query with one right answer."""
    top = ranked[:K]
    if answer not in top:
        return 0.0, 0.0, 0.0
    r = top.index(answer) + 1
    return 1.0 / r, 1.0, 1.0 / math.log2(r + 1)


def ensure_indexes(rows: list[dict]) -> None:
    from paperwire.search.store import keyword_ok, read_manifest, vectors_ok

    manifest = read_manifest("keyword") or {}
    vectors_fine = vectors_ok(read_manifest("vectors"))
    if manifest.get("docs") == len(rows) and keyword_ok(manifest) and vectors_fine:
        return
    if vectors_fine and manifest.get("docs") == len(rows):  # a new keyword schema: words only
        print(f"rebuilding the keyword index of {len(rows):,} papers …", file=sys.stderr)
        started = time.perf_counter()
        search_data.build_keyword(rows)
        print(f"  rebuilt in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return
    print(f"building the index files of {len(rows):,} papers …", file=sys.stderr)
    stats = search_data.build_indexes(
        search_data.synthetic(rows, search_data.load_vectors(), len(rows)), len(rows)
    )
    print(f"  built: {stats}", file=sys.stderr)


def query_vectors(data_dir: Path, texts: list[str]):
    """Return an embed function answering from a cache file, embedding what it lacks once."""
    from paperwire.search import embedding

    path = data_dir / "queries.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as f:
            cache = dict(zip(f["texts"].tolist(), f["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in cache})
    if missing:
        for t, v in zip(missing, embedding.embed(missing), strict=True):
            cache[t] = v
        keys = sorted(cache)
        np.savez(path, texts=np.array(keys), vectors=np.stack([cache[k] for k in keys]))

    def embed(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = embedding.embed_query(text)
        return cache[text]

    return embed


class Textbook:
    """Plain BM25 over title + abstract in one field (tantivy's English stemmer), all words optional."""

    def __init__(self, data_dir: Path, rows: list[dict]) -> None:
        import tantivy

        self.tantivy = tantivy
        b = tantivy.SchemaBuilder()
        b.add_integer_field("pk", stored=True, fast=True)
        b.add_text_field("text", tokenizer_name="en_stem")
        self.schema = b.build()
        path = data_dir / "textbook"
        done = path / "done"
        if not (done.exists() and done.read_text() == str(len(rows))):
            path.mkdir(parents=True, exist_ok=True)
            print(f"building the textbook index of {len(rows):,} papers …", file=sys.stderr)
            index = tantivy.Index(self.schema, path=str(path), reuse=False)
            writer = index.writer(256_000_000, 1)
            for pk, r in enumerate(rows, start=1):
                writer.add_document(tantivy.Document(pk=pk, text=f"{r['title']}\n{r['abstract']}"))
            writer.commit()
            writer.wait_merging_threads()
            done.write_text(str(len(rows)))
        self.index = tantivy.Index(self.schema, path=str(path))
        self.searcher = self.index.searcher()
        self.analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )

    def search(self, text: str, limit: int = 100) -> list[int]:
        """Return the pks of the best BM25 matches of text's words, any of them."""
        tv = self.tantivy
        terms = list(dict.fromkeys(self.analyzer.analyze(text)))
        if not terms:
            return []
        query = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(self.schema, "text", t)) for t in terms]
        )
        hits = self.searcher.search(query, limit=limit).hits
        pks = self.searcher.fast_field_values("pk", [a for _, a in hits])
        return [int(pk) for pk in pks if pk is not None]


class NumpyBM25:
    """BM25 with any k1 and b over the textbook field, in numpy (tantivy fixes k1 1.2 and b 0.75)."""

    def __init__(self, rows: list[dict], analyzer, k1: float, b: float) -> None:
        self.analyzer, self.k1, self.b = analyzer, k1, b
        postings: dict[str, tuple[list[int], list[int]]] = {}
        self.lengths = np.zeros(len(rows) + 1, dtype=np.float32)
        for pk, r in enumerate(rows, start=1):
            terms = analyzer.analyze(f"{r['title']}\n{r['abstract']}")
            self.lengths[pk] = len(terms)
            counts: dict[str, int] = defaultdict(int)
            for t in terms:
                counts[t] += 1
            for t, c in counts.items():
                docs, tfs = postings.setdefault(t, ([], []))
                docs.append(pk)
                tfs.append(c)
        self.postings = {t: (np.array(d), np.array(f, dtype=np.float32)) for t, (d, f) in postings.items()}
        self.avg = float(self.lengths[1:].mean())
        self.n = len(rows)

    def search(self, text: str, limit: int = 100) -> list[int]:
        """Return the pks of the best BM25 matches of text's words, any of them."""
        scores = np.zeros(self.n + 1, dtype=np.float32)
        for t in dict.fromkeys(self.analyzer.analyze(text)):
            if t not in self.postings:
                continue
            docs, tf = self.postings[t]
            idf = math.log(1 + (self.n - len(docs) + 0.5) / (len(docs) + 0.5))
            norm = self.k1 * (1 - self.b + self.b * self.lengths[docs] / self.avg)
            scores[docs] += idf * tf * (self.k1 + 1) / (tf + norm)
        top = np.argpartition(-scores, limit)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(pk) for pk in top if scores[pk] > 0]


def rrf(*lists: list[int]) -> list[int]:
    """Return the pks of lists fused by reciprocal rank."""
    fused: dict[int, float] = defaultdict(float)
    for items in lists:
        for rank, pk in enumerate(items, start=1):
            fused[pk] += 1.0 / (TEXTBOOK_RRF_K + rank)
    return sorted(fused, key=lambda pk: (-fused[pk], pk))


def apply_overrides(pairs: list[str]) -> None:
    """Set paperwire.search.MODULE.NAME = VALUE for each MODULE.NAME=VALUE."""
    import importlib

    for pair in pairs:
        target, value = pair.split("=", 1)
        module, name = target.rsplit(".", 1)
        mod = importlib.import_module(f"paperwire.search.{module}")
        if not hasattr(mod, name):
            raise SystemExit(f"paperwire.search.{module} has no {name}")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        setattr(mod, name, parsed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "paperwire-bench-sample")
    ap.add_argument("--split", choices=("dev", "test", "both"), default="both")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE")
    ap.add_argument("--misses", action="store_true", help="list the hybrid misses (dev split only)")
    ap.add_argument("--textbook", action="store_true", help="add the textbook BM25 and BM25 + vectors by RRF")
    ap.add_argument("--bm25", metavar="K1,B", help="score the textbook modes in numpy with these k1 and b")
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    search_data.setup_django(args.data_dir)
    from paperwire.search import engine, querylang
    from paperwire.search.store import readers

    apply_overrides(args.set)
    rows = search_data.load_sample()
    ensure_indexes(rows)
    pk_of = {r["id"]: i + 1 for i, r in enumerate(rows)}
    queries = load_queries()
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    queries = [q for q in queries if q["split"] in splits]
    embed = query_vectors(args.data_dir, [querylang.parse(q["query"]).text for q in queries])
    modes = args.modes.split(",")
    textbook = Textbook(args.data_dir, rows) if args.textbook else None
    if textbook is not None:
        modes += TEXTBOOK_MODES
        if args.bm25:
            k1, b = (float(x) for x in args.bm25.split(","))
            textbook.search = NumpyBM25(rows, textbook.analyzer, k1, b).search  # type: ignore[method-assign]

    started = time.perf_counter()
    # (split, class, mode) -> [rr, recall, ndcg] sums, and counts
    sums: dict[tuple[str, str, str], np.ndarray] = defaultdict(lambda: np.zeros(3))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    misses = []
    for q in queries:
        answer = pk_of[q["id"]]
        parsed = querylang.parse(q["query"])
        counts[(q["split"], q["class"])] += 1
        if "group" in q:
            counts[(q["split"], f"{q['class']}:{q['group']}")] += 1
        for mode in modes:
            if mode in TEXTBOOK_MODES and textbook is not None:
                pks = textbook.search(q["query"].replace("author:", " ").replace('"', " "))
                if mode == "textbook+rrf":
                    vector = readers.vectors()
                    near = [pk for pk, _ in vector.search(embed(parsed.text), engine.DEPTH)] if vector else []
                    pks = rrf(pks, near)
            else:
                ranked, _ = engine.rank(parsed, mode=mode, embed=embed)
                pks = [r.pk for r in ranked]
            s = scores(pks, answer)
            for key in ((q["split"], q["class"], mode), (q["split"], "ALL", mode)):
                sums[key] += s
            if "group" in q:
                sums[(q["split"], f"{q['class']}:{q['group']}", mode)] += s
            if mode == "hybrid" and s[0] < 1 and args.misses and q["split"] == "dev":
                rank = pks.index(answer) + 1 if answer in pks else None
                misses.append((q["class"], rank, q["query"], rows[pks[0] - 1]["title"] if pks else ""))
        counts[(q["split"], "ALL")] += 1
    took = time.perf_counter() - started

    flags = " ".join(args.set) or "engine defaults"
    print(f"search quality on {len(rows):,} papers ({flags}); MRR@10 / recall@10 / nDCG@10")
    for split in splits:
        print(f"\n{split} split")
        print(f"{'class':<12} {'n':>4}  " + "  ".join(f"{m:^20}" for m in modes))
        groups = sorted({k[1] for k in counts if k[0] == split and ":" in k[1]})
        for name in (*sorted([*CLASSES, *groups], key=lambda c: (CLASSES.index(c.split(":")[0]), c)), "ALL"):
            n = counts[(split, name)]
            if not n:
                continue
            cells = []
            for mode in modes:
                rr, rec, nd = sums[(split, name, mode)] / n
                cells.append(f"{rr:.3f} {rec:.3f} {nd:.3f}")
            label = f"  {name.split(':')[1]}" if ":" in name else name
            print(f"{label:<12} {n:>4}  " + "  ".join(f"{c:^20}" for c in cells))
    if misses:
        print("\nhybrid misses (dev): class, rank of the right paper, query → first result")
        for name, rank, text, first in sorted(misses, key=lambda m: m[0]):
            print(f"  {name:<11} {rank!s:>4}  {text[:70]!r} → {first[:60]!r}")
    print(f"\n({took:.0f} s, {len(queries)} queries × {len(modes)} modes)")


if __name__ == "__main__":
    main()
