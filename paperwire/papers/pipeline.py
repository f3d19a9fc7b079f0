"""Run an import's reading and parsing beside its writing: in a thread, or in a child process.

Reading, parsing and preparing a paper is Python (about 130 µs of CPU a paper) and holds the
GIL; writing a batch mostly waits on the database. A thread lets the two overlap where the
database is another process (PostgreSQL) or releases the GIL (SQLite's C code); a child process
also takes the parsing off this process's GIL, so on two cores the parser, this process and
PostgreSQL each get most of a core.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any, TypeVar

T = TypeVar("T")
_END = "end"
CHUNK = 500  # items handed over at a time: one hand-over costs far more than one item
DEPTH = 8  # chunks waiting at most: memory stays near 8 × 500 papers whatever the file's size


def read_ahead(items: Iterator[T], *, chunk: int = CHUNK, depth: int = DEPTH) -> Iterator[T]:
    """Yield what items yields, produced by a thread of its own up to depth chunks ahead."""
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        buf: list[T] = []
        try:
            for item in items:
                buf.append(item)
                if len(buf) >= chunk:
                    if not put(("items", buf)):
                        return
                    buf = []
            put(("items", buf))
            put((_END, None))
        except BaseException as e:  # noqa: BLE001  # handed to the reading thread, raised there
            put(("error", e))

    worker = threading.Thread(target=produce, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, got = out.get()
            if kind == _END:
                return
            if kind == "error":
                raise got
            yield from got
    finally:
        stop.set()
        worker.join(timeout=5)


def _child(produce: Callable[[], Iterator[Any]], out: Any, parent: int, chunk: int) -> None:
    """Send what produce() yields to the parent in chunks; stop when the parent is gone."""

    def put(value: Any) -> None:
        while True:
            try:
                out.put(value, timeout=0.5)
                return
            except queue.Full:
                if os.getppid() != parent:  # the parent was killed: nobody will read this
                    os._exit(0)

    try:
        buf: list[Any] = []
        for item in produce():
            buf.append(item)
            if len(buf) >= chunk:
                put(("items", buf))
                buf = []
        put(("items", buf))
        put((_END, None))
    except BaseException as e:  # noqa: BLE001  # told to the parent, raised there
        put(("error", f"{type(e).__name__}: {e}"))
    out.close()
    out.join_thread()  # everything handed over before the child ends


def in_child(produce: Callable[[], Iterator[T]], *, chunk: int = CHUNK, depth: int = DEPTH) -> Iterator[T]:
    """Yield what produce() yields, run in a forked child process (in this process where fork is
    missing). produce's items must pickle; they cross a pipe."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    ctx = multiprocessing.get_context("fork")  # the child needs no pickled closure, nor Django set up again
    out: Any = ctx.Queue(maxsize=depth)
    child = ctx.Process(
        target=_child, args=(produce, out, os.getpid(), chunk), name="import-parser", daemon=True
    )
    child.start()
    try:
        while True:
            try:
                kind, got = out.get(timeout=1)
            except queue.Empty:
                if not child.is_alive() and out.empty():
                    raise RuntimeError(
                        f"the import's parser process died (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == _END:
                return
            if kind == "error":
                raise RuntimeError(f"the import's parser process failed: {got}")
            yield from got
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)


class WriteBehind:
    """Run calls of write, in order, on a thread of its own with its own database connection,
    at most depth calls waiting: the caller gathers the next batch while this one is written.

    On two cores the importer's own Python (unpickling, COPY text, vectors) then runs while the
    database works instead of between its statements. The first error is raised in the caller,
    at its next submit() or at close(); later calls are dropped, never run after a failed one.
    """

    def __init__(
        self, write: Callable[..., None], *, depth: int = 1, around: Callable[[], Any] | None = None
    ) -> None:
        self.write, self.around = write, around
        self.calls: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from django.db import connections

        try:
            with self.around() if self.around else nullcontext():
                while (args := self.calls.get()) is not None:
                    if self.error is None:
                        try:
                            self.write(*args)
                        except BaseException as e:  # noqa: BLE001  # raised in the caller
                            self.error = e
        except BaseException as e:  # noqa: BLE001  # the around context failed: raised in the caller
            self.error = self.error or e
        finally:
            connections.close_all()  # this thread's own connections

    def submit(self, *args: Any) -> None:
        """Queue one call (waiting while depth calls wait); raise the error of an earlier one."""
        if self.error is not None:
            raise self.error
        self.calls.put(args)

    def close(self) -> None:
        """Wait for every queued call; raise the first error."""
        self.calls.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
