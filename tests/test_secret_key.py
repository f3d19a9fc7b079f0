"""The generated secret key: made once, private, and the same for processes that start together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READ_KEY = "import paperwire.settings as s; print(s.SECRET_KEY)"


def test_processes_starting_together_on_a_new_data_dir_share_one_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERWIRE_SECRET_KEY", "DATABASE_URL")}
    env["PAPERWIRE_DATA_DIR"] = str(tmp_path / "data")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READ_KEY], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(keys) == 1 and len(keys.pop()) >= 50
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert [p.name for p in key_file.parent.iterdir() if p.name.startswith(".secret_key")] == []


def test_serve_warns_a_postgresql_node_that_generated_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperwire.web.management.commands.serve import shared_key_warning

    postgresql, sqlite = "django.db.backends.postgresql", "django.db.backends.sqlite3"
    monkeypatch.delenv("PAPERWIRE_SECRET_KEY", raising=False)
    assert "PAPERWIRE_SECRET_KEY" in shared_key_warning(postgresql)
    assert shared_key_warning(sqlite) == ""  # one machine, one data dir: its own key is the only one
    monkeypatch.setenv("PAPERWIRE_SECRET_KEY", "one-key-for-every-node")
    assert shared_key_warning(postgresql) == ""
