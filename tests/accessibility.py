"""Check a browser page with axe-core (WCAG 2.1 A and AA rules) in the light and dark schemes.

Every browser test calls assert_accessible(page) on each page it visits. axe-core is the npm
package pinned in tests/axe/package-lock.json; `make axe` (and, failing that, the first call
here) installs it with `npm ci` into tests/axe/node_modules, never from a CDN at run time.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")
# The staff-only admin is excepted; everything a visitor or member reaches is checked.
RUN = f"""async () => {{
  const r = await axe.run(document, {{runOnly: {{type: "tag", values: {json.dumps(TAGS)}}},
                                      resultTypes: ["violations"]}});
  return r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({{target: n.target.join(" "), why: n.failureSummary}})),
    count: v.nodes.length}}));
}}"""


@functools.cache
def axe_source() -> str:
    """Return axe-core's script, installing the pinned npm package first when it is missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("axe-core is not installed and npm is missing: run `make axe`")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR)], check=True)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """Return axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(axe_source())  # evaluate() is not bound by the page's CSP, unlike a <script>
    return page.evaluate(RUN)


def describe(found: dict[str, list[dict[str, Any]]]) -> str:
    """Return the violations, one rule a line with the first elements it names."""
    lines = []
    for scheme, rules in found.items():
        for v in rules:
            lines.append(f"[{scheme}] {v['id']} ({v['impact']}, {v['count']} elements): {v['help']}")
            lines.extend(f"    {n['target']}: {' '.join(n['why'].split())}" for n in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Any, schemes: tuple[str, ...] = SCHEMES) -> None:
    """Fail listing every axe-core violation on the page, in the light and the dark scheme."""
    found: dict[str, list[dict[str, Any]]] = {}
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    try:
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            rules = violations(page)
            if rules:
                found[scheme] = rules
    finally:
        page.emulate_media(color_scheme="dark" if dark else "light")
    assert not found, f"accessibility violations on {page.url}:\n{describe(found)}"
