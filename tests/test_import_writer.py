"""The import's write-behind thread and what keeps a big import's cost per paper flat."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from paperwire.papers.pipeline import WriteBehind


def test_it_writes_batches_in_order_on_a_thread_of_its_own() -> None:
    seen: list[tuple[int, str]] = []
    writer = WriteBehind(lambda n: seen.append((n, threading.current_thread().name)))
    for n in range(5):
        writer.submit(n)
    writer.close()
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"import-writer"}


def test_a_failed_batch_is_raised_in_the_caller_and_no_later_batch_runs() -> None:
    ran: list[int] = []
    gate = threading.Event()

    def write(n: int) -> None:
        gate.wait(5)
        if n == 1:
            raise ValueError("batch 1 broke")
        ran.append(n)

    writer = WriteBehind(write, depth=10)
    for n in range(4):  # queued before any runs: batches 2 and 3 wait behind the broken one
        writer.submit(n)
    gate.set()
    with pytest.raises(ValueError, match="batch 1 broke"):
        writer.close()
    assert ran == [0]


def test_the_error_reaches_the_next_submit_too() -> None:
    writer = WriteBehind(lambda n: 1 / n)
    writer.submit(0)
    writer.thread.join(0.01)
    while writer.error is None and writer.thread.is_alive():
        writer.thread.join(0.01)
    with pytest.raises(ZeroDivisionError):
        writer.submit(1)
    with pytest.raises(ZeroDivisionError):
        writer.close()


@pytest.mark.django_db
def test_the_count_triggers_look_rows_up_by_index_whatever_the_statistics_say() -> None:
    """Stale statistics during a bulk import made PostgreSQL's category trigger scan every paper
    for each batch; SQLite's row triggers look up one paper's categories by paper id."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT proname, proconfig FROM pg_proc "
                "WHERE proname IN ('papers_paper_counts', 'papers_category_counts')"
            )
            pinned = dict(cursor.fetchall())
            assert set(pinned) == {"papers_paper_counts", "papers_category_counts"}
            for config in pinned.values():
                assert {"enable_seqscan=off", "enable_hashjoin=off", "enable_mergejoin=off"} <= set(config)
        else:
            # The unique (paper, code) constraint's index serves it: the paper-only index is gone.
            cursor.execute("EXPLAIN QUERY PLAN SELECT code FROM papers_papercategory WHERE paper_id = 1")
            assert "SEARCH papers_papercategory USING COVERING INDEX" in str(cursor.fetchall())
            cursor.execute("EXPLAIN QUERY PLAN SELECT listing_day FROM papers_paper WHERE id = 1")
            assert "PRIMARY KEY" in str(cursor.fetchall())
