"""`paperwire serve`: migrate, optionally load the demo set, and serve with gunicorn."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from paperwire.papers.models import Paper

DEMO = Path(__file__).resolve().parents[3] / "demo" / "papers.jsonl.gz"
DEMO_VECTORS = DEMO.with_name("papers.minilm-f16.npy")  # row i = line i of the demo set


def load_demo_if_empty(stdout: Any) -> None:
    """Import the bundled demo set when the database has no papers."""
    if Paper.objects.exists():
        return
    stdout.write(f"The database is empty: importing the demo set ({DEMO.name}).")
    call_command("import", str(DEMO), vectors=DEMO_VECTORS, stdout=stdout)


def prepare_model() -> str:
    """Build the query-embedding model file once, before the workers start (not on a first search)."""
    from paperwire.search import embedding

    started = time.perf_counter()
    try:
        path = embedding.onnx_model()
    except Exception as e:  # noqa: BLE001 - a missing weights package must not stop the site
        return f"unavailable ({e}); searches by meaning fall back to words"
    where = path if isinstance(path, str) else "in memory (the cache folder is not writable)"
    return f"{where} ({time.perf_counter() - started:.1f} s)"


def shared_key_warning(engine: str) -> str:
    """Return a warning when this node may sign members with a key no other node has, else ''."""
    if engine.endswith("sqlite3") or os.environ.get("PAPERWIRE_SECRET_KEY"):
        return ""
    # A session is checked against the key: a member signed in through one node would be signed
    # out on every node whose data dir generated a key of its own.
    return (
        "Warning: PAPERWIRE_SECRET_KEY is not set, so this node signs sessions with the key "
        f"generated in {settings.DATA_DIR}; give every node behind one proxy the same key."
    )


def _warm_model() -> None:
    from paperwire.search import embedding

    try:
        embedding.embed_query("warm up")
    except Exception:  # noqa: BLE001, S110 - warming is best effort; a search reports real errors
        pass


class Command(BaseCommand):
    help = "Apply migrations and serve paperwire with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--demo", action="store_true", help="import the bundled demo set if the database is empty"
        )
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="do not start the background worker (`paperwire worker`) beside it",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if warning := shared_key_warning(settings.DATABASES["default"]["ENGINE"]):
            self.stderr.write(warning)
        if opts["demo"]:
            load_demo_if_empty(self.stdout)
        from paperwire.search.store import update_indexes

        self.stdout.write(f"Search indexes: {update_indexes().summary()}")
        self.stdout.write(f"Search model: {prepare_model()}")
        from gunicorn.app.base import BaseApplication

        from paperwire.wsgi import application

        bind = f"{opts['host']}:{opts['port']}"

        class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", opts["workers"])
                # Threaded workers: a slow or stalled client holds one thread, not a whole worker
                # (with sync workers two half-open connections stopped the site). gunicorn also
                # parks a connection that sends nothing for 5 s without holding a thread.
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", settings.WEB_THREADS)
                self.cfg.set("keepalive", 5)  # seconds an idle kept-alive connection stays open
                self.cfg.set("accesslog", "-")
                self.cfg.set("timeout", 60)
                # gunicorn's control socket lives at one fixed path per user: two instances
                # side by side would fight over it, and paperwire does not use it.
                self.cfg.set("control_socket_disable", True)
                self.cfg.set("post_worker_init", warm)

            def load(self) -> Any:
                return application

        def warm(worker: Any) -> None:
            """Load the model in each new worker off its request threads, so no reader waits."""
            threading.Thread(target=_warm_model, daemon=True).start()

        # The background pass (ingestion, embedding, indexes, digests) runs in a child process.
        if not opts["no_jobs"]:
            from paperwire.web.background import start_background_jobs

            start_background_jobs()

        self.stdout.write(
            f"paperwire serving {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} "
            f"data from {settings.DATA_DIR} at http://{bind}/"
        )
        # The migrations and the index update above opened a database connection in this
        # process; gunicorn's forked workers would inherit and share it (PostgreSQL keeps it
        # for CONN_MAX_AGE), interleaving their queries on one socket: wrong rows, 500s.
        from django.db import connections

        connections.close_all()
        Server().run()
