"""`paperwire export [--out FILE]`: write the instance's community data as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paperwire.portability.instance import export_community


class Command(BaseCommand):
    help = "Write every member, vote, comment, submission, report, subscription and saved search as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="the file to write (standard output when left out)")

    def handle(self, *args: Any, **opts: Any) -> None:
        data = export_community()
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if opts["out"] is None:
            sys.stdout.write(text)
            return
        opts["out"].write_text(text, encoding="utf-8")
        counts = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list))
        self.stdout.write(f"Wrote {opts['out']}: {counts}")
