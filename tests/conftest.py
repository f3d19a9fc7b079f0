"""Shared fixtures: the real database (SQLite or PostgreSQL by DATABASE_URL), a live server,
Debian's Chromium through Playwright, and small real data from the bundled demo set."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Fixture modules that test files load as plugins: rewrite their asserts like the tests'.
pytest.register_assert_rewrite("tests.ingest_fixtures", "tests.community_fixtures", "tests.personal_fixtures")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "paperwire" / "demo" / "papers.jsonl.gz"
OUT = Path(os.environ.get("TEST_OUT", ROOT / "test-output"))
CHROMIUM = os.environ.get("PAPERWIRE_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made there are
# still plain synchronous calls, so Django's async-safety guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config: pytest.Config) -> str:
    db = settings.DATABASES["default"]
    return f"paperwire database: {db['ENGINE']} ({db['NAME']})"


def postgres_connect_args(db: dict[str, Any]) -> dict[str, Any]:
    """Return psycopg's connection arguments for the server of a Django database (user, password)."""
    return {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 5,
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop loudly when PostgreSQL is unreachable: fail the run, unless the user opted out
    with PAPERWIRE_TEST_POSTGRES=0 (never under CI)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return
    import psycopg

    try:
        psycopg.connect(**postgres_connect_args(db)).close()
    except psycopg.OperationalError as e:
        message = f"PostgreSQL at {db['HOST']}:{db['PORT']} is unreachable: {e}"
        if IN_CI:
            raise pytest.UsageError(message + " (CI=true: failing, not skipping)") from e
        if os.environ.get("PAPERWIRE_TEST_POSTGRES") == "0":
            pytest.exit(message + " — PAPERWIRE_TEST_POSTGRES=0: PostgreSQL half not run", returncode=0)
        banner = "!" * 78
        pytest.exit(
            f"\n{banner}\n{message}\nThe PostgreSQL half of the suite did NOT run. Start PostgreSQL, or set "
            f"PAPERWIRE_TEST_POSTGRES=0 to skip it knowingly.\n{banner}",
            returncode=3,
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """Name the test database apart for each checkout, so two checkouts tested at once do not
    share one; on SQLite make it a file in the data dir, so subprocess tests can open it too."""
    suffix = (
        os.environ.get("PAPERWIRE_TEST_DB_SUFFIX")
        or hashlib.blake2b(str(ROOT).encode(), digest_size=4).hexdigest()
    )
    db = settings.DATABASES["default"]
    db["CONN_MAX_AGE"] = 0  # live-server threads must not hold connections past a test
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(settings.DATA_DIR / f"test-{suffix}.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{suffix}"[:63]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, settings: Any) -> Path:
    """Give every test its own data dir (index files, secret key)."""
    data = tmp_path / "data"
    data.mkdir()
    settings.DATA_DIR = data
    return data


def demo_rows(n: int | None = None) -> list[dict[str, Any]]:
    """Return the first n lines of the bundled demo set (real arXiv papers)."""
    rows = []
    with gzip.open(DEMO, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if n is not None and len(rows) >= n:
                break
    return rows


def write_jsonl(path: Path, rows: list[Any], *, gz: bool = False) -> Path:
    """Write rows (dicts, or raw strings written as they are) as JSON Lines."""
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def demo_papers(db: None) -> int:
    """Import the whole bundled demo set (3,390 real papers over 14 listing days)."""
    from paperwire.papers.importer import import_files

    report = import_files([DEMO])
    return report.created


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Return the folder where browser tests save their screenshots."""
    path = OUT / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Launch Debian's Chromium through Playwright (fails under CI when it is missing)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM} (CI=true: browser tests must run)")
        pytest.skip(f"Chromium not found at {CHROMIUM}; `make test` installs it when run as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """Return a fresh laptop-sized browser page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _empty_page_cache() -> Iterator[None]:
    """Start every test with an empty page cache: a SQLite test's rolled-back transaction
    takes its generation bumps with it, so the next test could meet the same generation."""
    from django.core.cache import caches

    caches[settings.PAGE_CACHE_ALIAS].clear()
    yield
