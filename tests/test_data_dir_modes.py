"""A new data dir is private (0700) and the SQLite database files in it are 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_migrate_creates_a_private_data_dir_and_database(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data), "DATABASE_URL": ""}
    # Tried with the usual umask 022, under which files used to be created 0644 and dirs 0755.
    subprocess.run(
        [sys.executable, "-m", "paperwire", "migrate", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        preexec_fn=lambda: os.umask(0o022),  # noqa: PLW1509  (no threads in the child yet)
    )
    assert mode(data) == 0o700
    db_files = sorted(data.glob("paperwire.sqlite3*"))
    assert db_files, "migrate made no database"
    for path in db_files:
        assert mode(path) == 0o600, f"{path.name} is {oct(mode(path))}"
    assert mode(data / "secret_key") == 0o600
