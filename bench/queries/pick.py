"""Print papers of the shared sample picked at random for writing eval queries by hand.

    .venv/bin/python bench/queries/pick.py CLASS COUNT [--abstract CHARS]

The picks of a class are fixed by its name (the seed), distinct from the other classes' picks;
this script shows titles, authors and abstracts to read (`--spread`: papers no query names yet,
across primary categories, as for the second set of descriptions). It writes the queries of only two
classes, which need no writing: exact titles and arXiv ids (`--write`). The other classes were
written by hand from what it showed (tab-separated id and query, turned into JSON lines with
`write_class`, which marks a quarter of each class as the test split; `--add FILE.tsv` appends).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from search_data import SAMPLE  # noqa: E402

CLASSES = ("title", "typo", "description", "keywords", "author", "question", "arxiv_id")


def picks(rows: int) -> dict[str, list[int]]:
    """Return distinct random line numbers per class, 200 each, fixed by the class names."""
    taken: set[int] = set()
    out: dict[str, list[int]] = {}
    for name in CLASSES:
        rng = random.Random(zlib.crc32(name.encode()))
        chosen: list[int] = []
        while len(chosen) < 200:
            i = rng.randrange(rows)
            if i not in taken:
                taken.add(i)
                chosen.append(i)
        out[name] = chosen
    return out


def spread(rows: list[dict], name: str) -> list[int]:
    """Return 200 line numbers of papers no query names yet, spread across primary categories.

    A category is drawn with odds growing as the square root of its size (cs.CV stays common,
    but math, physics, q-bio and eess are not swamped), then one of its papers at random.
    """
    used: set[str] = set()
    for path in Path(__file__).parent.glob("*.jsonl"):
        used.update(json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line)
    by_cat: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r["id"] not in used:
            by_cat.setdefault(r["categories"][0], []).append(i)
    cats = sorted(by_cat)
    odds = [len(by_cat[c]) ** 0.5 for c in cats]
    rng = random.Random(zlib.crc32(f"{name}-spread".encode()))
    chosen: list[int] = []
    while len(chosen) < 200:
        i = rng.choice(by_cat[rng.choices(cats, odds)[0]])
        if i not in chosen:
            chosen.append(i)
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cls", choices=CLASSES)
    ap.add_argument("count", type=int)
    ap.add_argument("--write", action="store_true", help="write title.jsonl and arxiv_id.jsonl")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--abstract", type=int, default=350)
    ap.add_argument("--spread", action="store_true", help="pick across primary categories, new papers only")
    ap.add_argument("--add", type=Path, metavar="TSV", help="append hand-written (id, query) lines")
    ap.add_argument("--group", default="spread", help="the group name --add marks its lines with")
    args = ap.parse_args()
    if args.add:
        lines = args.add.read_text(encoding="utf-8").splitlines()
        items = [(pid, query) for pid, query in (line.split("\t", 1) for line in lines if line)]
        write_class(Path(__file__).parent / f"{args.cls}.jsonl", items, group=args.group)
        return
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    if args.write:
        write_mechanical(rows, args.count)
        return
    chosen = spread(rows, args.cls) if args.spread else picks(len(rows))[args.cls]
    for i in chosen[args.start : args.start + args.count]:
        r = rows[i]
        authors = ", ".join(r["authors"][:4])
        print(f"{r['id']} | {' '.join(r['title'].split())} | {authors}")
        if args.abstract:
            print("   ", " ".join(r["abstract"].split())[: args.abstract])


def write_mechanical(rows: list[dict], count: int = 66) -> None:
    """Write title.jsonl (titles as listed) and arxiv_id.jsonl (ids in the forms people paste)."""
    chosen = picks(len(rows))
    here = Path(__file__).parent
    titles = [(rows[i]["id"], " ".join(rows[i]["title"].split())) for i in chosen["title"][:count]]
    forms = (
        "{id}",
        "arXiv:{id}",
        "https://arxiv.org/abs/{id}",
        "https://arxiv.org/pdf/{id}v1",
        "{id}v2",
        "arxiv.org/abs/{id}",
    )
    ids = [
        (rows[i]["id"], forms[n % len(forms)].format(id=rows[i]["id"]))
        for n, i in enumerate(chosen["arxiv_id"][:count])
    ]
    for name, items in (("title", titles), ("arxiv_id", ids)):
        write_class(here / f"{name}.jsonl", items)


def write_class(path: Path, items: list[tuple[str, str]], *, group: str = "") -> None:
    """Write (id, query) items as JSON lines, a quarter of them (every 4th by checksum) marked test.

    With a group, the items are marked with it and go after the file's lines, which keep their splits.
    """
    order = sorted(range(len(items)), key=lambda n: zlib.crc32(items[n][1].encode()))
    test = {n for k, n in enumerate(order) if k % 4 == 0}
    with path.open("a" if group else "w", encoding="utf-8") as f:
        for n, (pid, query) in enumerate(items):
            line = {"id": pid, "query": query, "split": "test" if n in test else "dev"}
            f.write(json.dumps(line | ({"group": group} if group else {})) + "\n")


if __name__ == "__main__":
    main()
