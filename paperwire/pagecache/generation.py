"""The generation: one shared counter that every committed change to what public pages show bumps.

Pages cached for anonymous readers are keyed on it, so a cached page is never served after a
change: the next view reads the new generation and renders afresh. The counter lives in the
database (a one-row table, and a sequence on PostgreSQL), so every worker of every node sees it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

# Apps whose tables feed the cached pages: papers (and their categories), votes, comments,
# submissions and moderation, saved searches (their feeds).
WATCHED_APPS = ("papers", "community", "feeds")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@cache
def watched_tables() -> frozenset[str]:
    """Return the database tables whose writes change what cached pages show."""
    tables = set()
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return frozenset(tables)


def read(connection: BaseDatabaseWrapper) -> tuple[int, float]:
    """Return the current generation and the time of the last committed change."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT last_value, (SELECT changed_at FROM pagecache_generation WHERE id = 1) "
                "FROM pagecache_generation_seq"
            )
        else:
            cur.execute("SELECT value, changed_at FROM pagecache_generation WHERE id = 1")
        value, changed_at = cur.fetchone()
    return int(value), float(changed_at or 0)


_side = threading.local()  # each thread's own read-only SQLite connection for the counter


def read_current(connection: BaseDatabaseWrapper) -> tuple[int, float]:
    """Return the current generation and change time, cheaply.

    On SQLite, Django opens a new connection for every request (CONN_MAX_AGE 0), registering
    its SQL functions each time; a cache hit needs none of that, so while this request has not
    opened one, the counter is read through a connection kept per thread. It sees only
    committed changes, which on SQLite carry their bump with them.
    """
    if (
        connection.vendor != "sqlite" or connection.connection is not None or connection.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's wrapper has it
    ):
        return read(connection)
    name = str(connection.settings_dict["NAME"])
    side = getattr(_side, "db", None)
    if side is None or getattr(_side, "name", None) != name:
        side = sqlite3.connect(name, isolation_level=None, timeout=5)
        _side.db, _side.name = side, name
    row = side.execute("SELECT value, changed_at FROM pagecache_generation WHERE id = 1").fetchone()
    return int(row[0]), float(row[1] or 0)


def _bump(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "UPDATE pagecache_generation SET value = nextval('pagecache_generation_seq'), "
                "changed_at = %s WHERE id = 1",
                [time.time()],
            )
        else:
            cur.execute(
                "UPDATE pagecache_generation SET value = value + 1, changed_at = %s WHERE id = 1",
                [time.time()],
            )


class _AfterCommit:
    """Bump the generation once the transaction that changed pages has committed."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def __call__(self) -> None:
        _bump(self.connection)


def changed(connection: BaseDatabaseWrapper) -> None:
    """Record that this connection wrote something public pages show.

    Every write statement bumps at once, so this connection's own next read (inside the same
    transaction too) renders afresh; a statement, not a row, so a batch of 500 rows costs one.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        # SQLite runs one writer at a time, and readers on other connections see the bump
        # when they see the change: they commit together. Autocommit: already committed.
        _bump(connection)
        return
    # nextval is seen by everyone at once and takes no lock; a reader that caches the old rows
    # under it is overtaken by the bump after commit. Updating the row here instead would hold
    # its lock until commit and queue every other writer behind this one.
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('pagecache_generation_seq')")
    if not any(isinstance(entry[1], _AfterCommit) for entry in connection.run_on_commit):
        connection.on_commit(_AfterCommit(connection))


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        match = WRITE.match(sql)
        if match and match.group(1) in watched_tables():
            changed(context["connection"])
    return result


def watch_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Bump the generation after every write to a watched table made on this connection."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)
