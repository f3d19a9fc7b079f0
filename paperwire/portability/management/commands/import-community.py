"""`paperwire import-community FILE`: add a `paperwire export` file's community data here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperwire.portability.instance import BadExport, import_community

MAX_SKIPPED = 20  # skipped rows listed one by one before the rest are only counted


class Command(BaseCommand):
    help = "Import members, votes, comments and the rest from a `paperwire export` file (papers first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            data = json.loads(opts["path"].read_text(encoding="utf-8"))
            report = import_community(data)
        except (OSError, ValueError, BadExport) as e:
            raise CommandError(f"{opts['path']}: {e} (nothing was imported)") from None
        self.stdout.write(report.summary())
        for why in report.skipped[:MAX_SKIPPED]:
            self.stdout.write(f"  skipped: {why}")
        if len(report.skipped) > MAX_SKIPPED:
            self.stdout.write(f"  … and {len(report.skipped) - MAX_SKIPPED} more")
