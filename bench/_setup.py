"""Set up Django for a benchmark on a data dir of its own (SQLite unless DATABASE_URL is set)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The shared data sits beside the checkout (../shared) or, for a worktree, one level further up.
_SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "data").is_dir()),
    ROOT.parent / "shared",
)
SAMPLE = Path(os.environ.get("PAPERWIRE_SAMPLE", _SHARED / "data" / "arxiv-sample.jsonl.gz"))


def django_on(data_dir: Path) -> None:
    """Point paperwire at data_dir, set Django up and apply the migrations."""
    os.environ["PAPERWIRE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) of values, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
