"""Apps depend downward only, in templates too: a template includes, extends and loads tags only
from its own app or a lower one (import-linter checks the Python imports; see docs/architecture.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "paperwire"
# Higher number, higher layer; apps on one level are independent of each other.
LEVEL = {
    "papers": 0,
    "ratelimits": 0,
    "ingest": 1,
    "search": 2,
    "community": 2,
    "citations": 2.5,  # beside search in the Python layers; it reads comments for Markdown
    "feeds": 3,
    "digests": 4,
    "api": 6,
    "web": 6,
    "personal": 5,  # beside jobs: above digests, whose sections it adds to
    "portability": 6,
    "appearance": 6,
}
# The site shell's frame, which every page extends or renders into.
SHELL_FRAME = {"base.html", "message.html", "400.html", "404.html", "429.html", "500.html"}
# Known exceptions: the search page includes the shell's paper card and the feeds' search boxes
# (moving the page to the shell waits for the search pager work; docs/decisions.md).
KNOWN = {
    ("search", "search/results.html", "web", "{% load cards %}"),
    ("search", "search/results.html", "feeds", "feeds/_save_search.html"),
    ("search", "search/results.html", "feeds", "feeds/_search_feeds.html"),
    # The search page offers its results as citations, like every list page.
    ("search", "search/results.html", "citations", "{% load citations %}"),
    # The search page and the member's pages show the shell's paper card, with the member's
    # "N papers hidden by your mute rules" line (personal's tag) on the search page.
    ("search", "search/results.html", "personal", "{% load personal %}"),
    ("personal", "personal/author.html", "web", "{% load cards %}"),
    ("personal", "personal/for_you.html", "web", "{% load cards %}"),
}
REFERENCE = re.compile(r'\{%\s*(?:include|extends)\s+"([^"]+)"')
LOAD = re.compile(r"\{%\s*load\s+([\w ]+?)\s*%\}")


def owners() -> tuple[dict[str, str], dict[str, str]]:
    """Return which app owns each template name and each tag library."""
    templates = {
        str(path.relative_to(app / "templates")): app.name
        for app in PACKAGE.iterdir()
        if (app / "templates").is_dir()
        for path in (app / "templates").rglob("*.*")
    }
    libraries = {
        path.stem: app.name
        for app in PACKAGE.iterdir()
        if (app / "templatetags").is_dir()
        for path in (app / "templatetags").glob("[!_]*.py")
    }
    return templates, libraries


def upward_references() -> set[tuple[str, str, str, str]]:
    """Return (app, template, other app, what) for each reference to a higher or sibling app."""
    templates, libraries = owners()
    found = set()
    for name, app in templates.items():
        text = (PACKAGE / app / "templates" / name).read_text()
        targets = [(templates.get(t), t) for t in REFERENCE.findall(text) if t not in SHELL_FRAME]
        targets += [
            (libraries.get(lib), f"{{% load {lib} %}}") for m in LOAD.findall(text) for lib in m.split()
        ]
        for other, what in targets:
            if other is None or other == app:
                continue  # Django's own (static) or allauth's, or the app's own
            if LEVEL[other] >= LEVEL[app]:
                found.add((app, name, other, what))
    return found


def test_templates_refer_only_downward_but_for_the_known_exceptions() -> None:
    assert upward_references() == KNOWN


def test_python_imports_keep_the_layers() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Apps import downward only KEPT" in done.stdout
