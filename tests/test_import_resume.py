"""`paperwire import` at scale: a run killed with SIGKILL and rerun loses and doubles nothing, the
bulk path writes what the row-by-row upsert writes, and the indexes take in what it wrote."""

from __future__ import annotations

import gzip
import json
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from paperwire.papers.bulk import write_batch
from paperwire.papers.importer import SMALL_FILE, import_files, parse_kaggle, parse_sample
from paperwire.papers.models import ImportCheckpoint, Paper, PaperCategory
from paperwire.papers.records import PaperRecord
from paperwire.papers.upsert import upsert_records
from paperwire.search.models import PaperVector
from tests.ingest_fixtures import ProcessDb

from .conftest import DEMO, demo_rows, write_jsonl

KAGGLE = Path(__file__).parent / "fixtures" / "kaggle-layout.jsonl"
DEMO_VECTORS = DEMO.with_name("papers.minilm-f16.npy")
COPIES = 3  # the demo set three times under new ids: 10,170 papers, long enough to be killed mid-run
WAIT = 120  # seconds a child may take before the test gives up on it


def letters(n: int) -> str:
    """Return n in base 26 as lowercase letters (0 → a, 26 → ba)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
        if n < 1:
            return out


def big_set(tmp: Path) -> tuple[Path, Path, list[str]]:
    """Write the demo set COPIES times under new old-style ids, with its vectors row for row."""
    rows = demo_rows()
    vectors = np.load(DEMO_VECTORS)
    out, ids = [], []
    for copy in range(COPIES):
        for i, row in enumerate(rows):
            new = f"x{letters(copy)}-{letters(i // 1000)}/0701{i % 1000:03d}"
            out.append({**row, "id": new, "title": f"{row['title']} ({copy})"})
            ids.append(new)
    papers = write_jsonl(tmp / "big.jsonl", out)
    path = tmp / "big.npy"
    np.save(path, np.concatenate([vectors] * COPIES))
    return papers, path, ids


def still_running(marker: str, wait: float = 15) -> list[int]:
    """Return the pids of processes whose command line names marker, once they have had wait
    seconds to end (an orphaned parser notices its parent is gone within a second)."""
    deadline = time.monotonic() + wait
    while True:
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and marker in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(proc.name))
            except OSError:
                continue  # ended while we looked
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.2)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_an_import_killed_mid_run_resumes_with_nothing_lost_or_doubled(
    transactional_db: None, tmp_path: Path, gz: bool
) -> None:
    papers, vectors, ids = big_set(tmp_path)
    if gz:
        packed = tmp_path / "big.jsonl.gz"
        packed.write_bytes(gzip.compress(papers.read_bytes(), compresslevel=1))
        papers = packed
    db = ProcessDb(tmp_path)
    args = ["import", str(papers), "--vectors", str(vectors)]
    env = {"PAPERWIRE_IMPORT_BATCH": "250"}
    child = db.popen(args, env)
    deadline = time.monotonic() + WAIT
    # Kill it once a few batches are in: wherever it is then (mid-batch, mid-COPY, between).
    while time.monotonic() < deadline and child.poll() is None:
        got = db.query("SELECT line FROM papers_importcheckpoint")
        if got and got[0][0] >= 1000:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(WAIT)
    assert child.returncode == -signal.SIGKILL, child.communicate()[0]
    assert not still_running(str(papers)), "the killed import's parser process lives on"
    [(line, created)] = db.query("SELECT line, created FROM papers_importcheckpoint")
    assert db.query("SELECT COUNT(*) FROM papers_paper") == [(created,)]  # batch and checkpoint together
    assert 1000 <= created < len(ids)

    rerun = db.run(args, env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"resumed after line {line:,}" in rerun.stdout
    assert f"read {len(ids)}, created {len(ids)}, updated 0, unchanged 0, invalid 0" in rerun.stdout
    assert f"Stored {len(ids) - created} vector(s)" in rerun.stdout
    rows = db.query("SELECT arxiv_id, COUNT(*) FROM papers_paper GROUP BY arxiv_id")
    assert sorted(a for a, _ in rows) == sorted(ids) and {n for _, n in rows} == {1}
    assert db.query("SELECT COUNT(*) FROM search_papervector") == [(len(ids),)]
    cats = db.query("SELECT COUNT(*), COUNT(DISTINCT paper_id) FROM papers_papercategory")
    assert cats[0][1] == len(ids)
    assert db.query("SELECT COUNT(*) FROM papers_importcheckpoint") == [(0,)]  # done: a rerun reads it all
    again = db.run(args, env)
    assert f"read {len(ids)}, created 0, updated 0, unchanged {len(ids)}" in again.stdout, again.stdout


def test_each_paper_gets_the_vector_of_its_own_line(db: None, tmp_path: Path) -> None:
    papers, vectors, ids = big_set(tmp_path)
    call_command("import", str(papers), "--vectors", str(vectors), stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # discarded output
    matrix = np.load(vectors)
    for row in (0, 1, 3389, 3390, 7000, len(ids) - 1):
        stored = PaperVector.objects.get(paper__arxiv_id=ids[row]).array()
        assert np.allclose(stored, matrix[row].astype(np.float32), atol=1e-3), row


def test_an_edited_file_is_read_from_its_start_not_from_an_old_checkpoint(db: None, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", demo_rows(30))
    ImportCheckpoint.objects.create(
        path=str(path.resolve()), fingerprint="another file", offset=10**6, line=25, row=25
    )
    report = import_files([path])
    assert (report.read, report.created, report.resumed) == (30, 30, {})
    assert not ImportCheckpoint.objects.exists()


def columns(paper: Paper) -> dict[str, Any]:
    """Return what an import writes of a paper (not its key or its clock)."""
    skip = {"id", "created_at", "modified_at"}
    return {
        f.attname: getattr(paper, f.attname) for f in Paper._meta.concrete_fields if f.attname not in skip
    }


def hostile(record: PaperRecord) -> None:
    """Give a record every character COPY's text format treats specially, and its NULL marker."""
    record.title = "Tabs\there, a \\N and a back\\slash\\"
    record.abstract = "Line one\nline two\r\nline three\t\\t end"
    record.comments = "\\N"
    record.authors = ["A\tB", "C\\D"]


def test_the_bulk_path_writes_what_the_row_by_row_upsert_writes(db: None) -> None:
    sample = [parse_sample(r) for r in demo_rows(200)]
    with open(KAGGLE, encoding="utf-8") as f:
        kaggle = [parse_kaggle(json.loads(line)) for line in f if line.strip()]
    sample[0].categories.append("odd\\code")
    hostile(sample[1])
    upsert_records(sample + kaggle)
    slow = {p.arxiv_id: columns(p) for p in Paper.objects.all()}
    slow_cats = sorted(PaperCategory.objects.values_list("paper__arxiv_id", "code", "primary"))
    Paper.objects.all().delete()
    sample = [parse_sample(r) for r in demo_rows(200)]
    with open(KAGGLE, encoding="utf-8") as f:
        kaggle = [parse_kaggle(json.loads(line)) for line in f if line.strip()]
    sample[0].categories.append("odd\\code")  # a backslash, which COPY's text format escapes
    hostile(sample[1])
    result = write_batch(sample + kaggle)
    assert result.counts.created == len(slow) == 203
    assert {p.arxiv_id: columns(p) for p in Paper.objects.all()} == slow
    assert sorted(PaperCategory.objects.values_list("paper__arxiv_id", "code", "primary")) == slow_cats


def test_a_newer_version_in_a_later_file_updates_the_paper(db: None, tmp_path: Path) -> None:
    with open(KAGGLE, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    import_files([write_jsonl(tmp_path / "old.jsonl", [{**rows[0], "versions": rows[0]["versions"][:1]}])])
    assert Paper.objects.get(arxiv_id=rows[0]["id"]).latest_version == 1
    report = import_files([write_jsonl(tmp_path / "new.jsonl", rows)])
    assert (report.created, report.updated, report.unchanged) == (len(rows) - 1, 1, 0)
    paper = Paper.objects.get(arxiv_id=rows[0]["id"])
    assert paper.latest_version == 2 and paper.revised_at is not None


def test_the_index_takes_in_every_paper_a_bulk_import_wrote(db: None, tmp_path: Path) -> None:
    from paperwire.search.store import update_indexes

    papers, vectors, ids = big_set(tmp_path)
    call_command("import", str(papers), "--vectors", str(vectors), stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123  # discarded output
    report = update_indexes()
    assert (report.keyword_docs, report.vectors_count) == (len(ids), len(ids))
    more = write_jsonl(
        tmp_path / "more.jsonl",
        [{**r, "id": f"xzz-{letters(i // 1000)}/0702{i % 1000:03d}"} for i, r in enumerate(demo_rows(500))],
    )
    import_files([more])
    again = update_indexes()
    assert again.keyword_added == 500 and again.keyword_docs == len(ids) + 500


def test_a_big_file_parsed_in_a_child_process_updates_changed_papers_and_reports_bad_lines(
    db: None, tmp_path: Path
) -> None:
    papers, _, ids = big_set(tmp_path)
    assert papers.stat().st_size > SMALL_FILE  # parsed in a child process, not in this one
    import_files([papers])
    lines = papers.read_text(encoding="utf-8").splitlines()
    for i in (5, 4000, 9000):
        row = json.loads(lines[i])
        lines[i] = json.dumps({**row, "title": f"Corrected: {row['title']}"})
    lines.insert(7000, "{broken")
    papers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_files([papers])
    assert (report.read, report.created, report.updated, report.unchanged) == (
        len(ids) + 1,
        0,
        3,
        len(ids) - 3,
    )
    assert [(line, reason.split(":")[0]) for _, line, reason in report.invalid] == [(7001, "bad JSON")]
    assert Paper.objects.get(arxiv_id=ids[9000]).title.startswith("Corrected: ")
