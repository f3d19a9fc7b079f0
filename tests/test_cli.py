"""The `paperwire` command as a user runs it, and the suite's own refusals to skip under CI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dj_database_url
import pytest

from tests.conftest import postgres_connect_args

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PAPERWIRE_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_serve_migrates_loads_the_demo_and_answers_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperwire",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-jobs",
        ],
        cwd=ROOT,
        env=run_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body = r.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.5)
        assert "Wednesday, 1 July 2026" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/paperwire/app.css", timeout=5) as r:
            assert r.status == 200 and b"--accent" in r.read()
        assert (tmp_path / "data" / "paperwire.sqlite3").exists()
        assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0  # readable by us only
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_other_django_commands_run_through_paperwire(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperwire", "showmigrations", "papers"],
        cwd=ROOT,
        env=run_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "0001_initial" in result.stdout


def test_under_ci_an_unreachable_postgresql_fails_the_run(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_settings_docs.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=run_env(tmp_path, CI="true", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/test"),
    )
    assert result.returncode != 0
    assert "unreachable" in result.stdout + result.stderr


def unreachable_postgres_run(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run one small test file against a PostgreSQL URL where nothing listens."""
    port = free_port()  # nothing listens here
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_settings_docs.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=run_env(tmp_path, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/test", **extra),
    )


def test_outside_ci_an_unreachable_postgresql_fails_the_run_loudly(tmp_path: Path) -> None:
    result = unreachable_postgres_run(tmp_path, CI="", PAPERWIRE_TEST_POSTGRES="")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "The PostgreSQL half of the suite did NOT run" in result.stdout + result.stderr


def test_outside_ci_the_postgresql_half_is_skipped_only_when_asked(tmp_path: Path) -> None:
    result = unreachable_postgres_run(tmp_path, CI="", PAPERWIRE_TEST_POSTGRES="0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PAPERWIRE_TEST_POSTGRES=0: PostgreSQL half not run" in result.stdout + result.stderr


def test_under_ci_opting_out_of_postgresql_is_not_allowed(tmp_path: Path) -> None:
    result = unreachable_postgres_run(tmp_path, CI="true", PAPERWIRE_TEST_POSTGRES="0")
    assert result.returncode != 0 and "CI=true: failing, not skipping" in result.stdout + result.stderr


def test_the_postgresql_check_logs_in_with_the_password_in_the_url() -> None:
    db = dj_database_url.parse("postgresql://reader:s3cr%40t@db.example.org:5433/papers")
    args = postgres_connect_args(db)
    assert (args["user"], args["password"], args["host"], args["port"]) == (
        "reader",
        "s3cr@t",
        "db.example.org",
        5433,
    )


@pytest.mark.browser
def test_under_ci_a_missing_browser_fails_the_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser_feed.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=run_env(tmp_path, CI="true", PAPERWIRE_CHROMIUM="/nonexistent/chromium"),
    )
    assert result.returncode != 0
    assert "Chromium not found" in result.stdout
