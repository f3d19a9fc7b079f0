"""Parse and upsert OAI-PMH (arXivRaw) and Atom pages into an empty SQLite database, network taken out;
print records/s and peak memory. The pages are built from real papers of the shared sample.

    python bench/ingest.py [--sample PATH] [--papers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from _setup import SAMPLE, django_on, percentile

OAI_PAGE = 1000  # records per ListRecords page, as arXiv serves them
ATOM_PAGE = 100  # entries per query API page, paperwire's default


def read_sample(path: Path, n: int) -> list[dict[str, Any]]:
    """Return the first n papers of the sample that have a v1 date."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = (json.loads(line) for line in f)
        return list(itertools.islice((r for r in rows if r["published"]), n))


def rfc822(day: str) -> str:
    return dt.date.fromisoformat(day).strftime("%a, %d %b %Y 12:00:00 GMT")


def raw_record(p: dict[str, Any]) -> str:
    versions = f'<version version="v1"><date>{rfc822(p["published"])}</date><size>120kb</size></version>'
    if p["updated"]:
        versions += f'<version version="v2"><date>{rfc822(p["updated"])}</date><size>131kb</size></version>'
    return (
        f"<record><header><identifier>oai:arXiv.org:{p['id']}</identifier>"
        f"<datestamp>{p['updated'] or p['published']}</datestamp>"
        f'<setSpec>cs</setSpec></header><metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>{p['id']}</id><submitter>{escape(p['authors'][0])}</submitter>{versions}"
        f"<title>{escape(p['title'])}</title><authors>{escape(', '.join(p['authors']))}</authors>"
        f"<categories>{' '.join(p['categories'])}</categories><abstract>{escape(p['abstract'])}</abstract>"
        f"</arXivRaw></metadata></record>"
    )


def oai_page(papers: list[dict[str, Any]], token: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-06-15T00:00:00Z</responseDate><request>http://export.arxiv.org/oai2</request>"
        f"<ListRecords>{''.join(raw_record(p) for p in papers)}<resumptionToken>{token}</resumptionToken>"
        "</ListRecords></OAI-PMH>"
    ).encode()


def atom_entry(p: dict[str, Any]) -> str:
    version = 2 if p["updated"] else 1
    stamp = f"{p['updated'] or p['published']}T12:00:00Z"
    cats = "".join(f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in p["categories"])
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p["authors"])
    return (
        f"<entry><id>http://arxiv.org/abs/{p['id']}v{version}</id><title>{escape(p['title'])}</title>"
        f'<updated>{stamp}</updated><link href="https://arxiv.org/abs/{p["id"]}v{version}" rel="alternate"/>'
        f"<summary>{escape(p['abstract'])}</summary>{cats}<published>{p['published']}T12:00:00Z</published>"
        f'<arxiv:primary_category term="{p["categories"][0]}"/>{authors}</entry>'
    )


def atom_page(papers: list[dict[str, Any]]) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        f"<opensearch:totalResults>{len(papers)}</opensearch:totalResults>"
        f"{''.join(atom_entry(p) for p in papers)}</feed>"
    ).encode()


def timed(pages: list[bytes], parse: Callable[[bytes], list[Any]]) -> tuple[int, float, list[float]]:
    """Parse and upsert each page in its own transaction; return records, seconds, per-page seconds."""
    from django.db import transaction

    from paperwire.papers.upsert import upsert_records

    count, per_page = 0, []
    start = time.perf_counter()
    for body in pages:
        t = time.perf_counter()
        records = parse(body)
        with transaction.atomic():
            upsert_records(records)
        count += len(records)
        per_page.append(time.perf_counter() - t)
    return count, time.perf_counter() - start, per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--papers", type=int, default=20000, help="papers per source (default 20,000)")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="paperwire-bench-ingest-"))
    django_on(data)
    from paperwire.ingest.arxiv import parse_atom
    from paperwire.ingest.client import Page
    from paperwire.ingest.oai import parse_oai
    from paperwire.papers.models import Paper

    papers = read_sample(args.sample, 2 * args.papers)
    oai_papers, atom_papers = papers[: args.papers], papers[args.papers :]
    oai_pages = [oai_page(oai_papers[i : i + OAI_PAGE], f"t{i}") for i in range(0, len(oai_papers), OAI_PAGE)]
    atom_pages = [atom_page(atom_papers[i : i + ATOM_PAGE]) for i in range(0, len(atom_papers), ATOM_PAGE)]

    def oai(body: bytes) -> list[Any]:
        return [r for _, r, _ in parse_oai(Page("bench", 200, "text/xml", body)).records if r]

    def atom(body: bytes) -> list[Any]:
        return [
            e.record for e in parse_atom(Page("bench", 200, "application/atom+xml", body)).entries if e.record
        ]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite"
    )
    for name, pages, parse, size in (
        ("OAI-PMH arXivRaw", oai_pages, oai, OAI_PAGE),
        ("Atom", atom_pages, atom, ATOM_PAGE),
    ):
        n, took, per_page = timed(pages, parse)
        again_n, again_took, _ = timed(pages, parse)
        median, p95 = percentile(per_page, 50) * 1000, percentile(per_page, 95) * 1000
        print(
            f"{name:17}: {n:,} records in {len(pages)} pages of {size}: {took:.1f} s, "
            f"{n / took:,.0f} records/s (page median {median:.0f} ms, p95 {p95:.0f} ms)"
        )
        print(f"{'':17}  again, all unchanged: {again_n / again_took:,.0f} records/s")
    total = Paper.objects.count()
    print(f"papers in the database: {total:,}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB (max RSS)")
    shutil.rmtree(data)


if __name__ == "__main__":
    main()
