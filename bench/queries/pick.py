"""Print papers of the shared sample picked at random for writing eval queries by hand.

    .venv/bin/python bench/queries/pick.py CLASS COUNT [--abstract CHARS]

The picks of a class are fixed by its name (the seed), distinct from the other classes' picks;
this script shows titles, authors and abstracts to read. It writes the queries of only two
classes, which need no writing: exact titles and arXiv ids (`--write`). The other classes were
written by hand from what it showed (tab-separated id and query, turned into JSON lines with
`write_class`, which marks a quarter of each class as the test split).
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cls", choices=CLASSES)
    ap.add_argument("count", type=int)
    ap.add_argument("--write", action="store_true", help="write title.jsonl and arxiv_id.jsonl")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--abstract", type=int, default=350)
    args = ap.parse_args()
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    if args.write:
        write_mechanical(rows, args.count)
        return
    for i in picks(len(rows))[args.cls][args.start : args.start + args.count]:
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


def write_class(path: Path, items: list[tuple[str, str]]) -> None:
    """Write (id, query) items as JSON lines, a quarter of them (every 4th by checksum) marked test."""
    order = sorted(range(len(items)), key=lambda n: zlib.crc32(items[n][1].encode()))
    test = {n for k, n in enumerate(order) if k % 4 == 0}
    with path.open("w", encoding="utf-8") as f:
        for n, (pid, query) in enumerate(items):
            f.write(json.dumps({"id": pid, "query": query, "split": "test" if n in test else "dev"}) + "\n")


if __name__ == "__main__":
    main()
