"""The `paperwire` command: Django's management commands with paperwire's settings preset."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command (serve, import, migrate, …) with paperwire's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperwire.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
