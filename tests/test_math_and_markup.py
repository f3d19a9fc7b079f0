"""LaTeX in titles and abstracts renders as MathML; no text from a paper can inject markup."""

from __future__ import annotations

import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from paperwire.papers.importer import import_files
from paperwire.papers.latex import MATHML_TAGS as MATH_TAGS
from paperwire.papers.latex import render_math

from .conftest import demo_rows, write_jsonl
from .markup import assert_inert

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('t')</script>",
    '<img src=x onerror="alert(1)">',
    "</textarea><svg onload=alert(1)>",
    "$<script>alert(2)</script>$",  # inside math
    r"$\href{javascript:alert(3)}{x}$",
    r"$\text{<img src=x onerror=alert(4)>}$",
    '"><iframe src=javascript:alert(5)>',
]


def test_inline_math_becomes_mathml() -> None:
    html = render_math(r"Bounds in $\ell_p$ and $\mathfrak{S}^{2/p}$ norms")
    assert html.count("<math") == 2
    assert "<msub><mi>ℓ</mi><mi>p</mi></msub>" in html
    assert "𝔖" in html  # \mathfrak{S}
    assert html.startswith("Bounds in ")


def test_display_math_escaped_dollars_and_broken_formulas() -> None:
    assert 'display="block"' in render_math(r"$$E = mc^2$$")
    assert "<math" not in render_math(r"costs \$5 and \$6")
    broken = render_math(r"an unclosed $\frac{1}{ formula")
    assert "<math" not in broken and "\\frac{1}{" in broken


def test_text_mode_tex_shows_as_the_characters_it_stands_for() -> None:
    assert render_math(r"we reach 96\% on R\&D with snake\_case") == "we reach 96% on R&amp;D with snake_case"
    assert render_math(r"Schr\"odinger, Erd{\H o}s, \c{c}a, \'{\i}ndice") == "Schrödinger, Erdős, ça, índice"
    assert render_math(r"pages 1--10, ``quoted'' --- and a --flag") == "pages 1–10, “quoted” — and a --flag"
    # Inside math nothing changes, and an accent cannot smuggle markup.
    assert 'title="50\\%"' in render_math(r"$50\%$ of $x$")
    assert render_math("\\'<script>") == "\\&#x27;&lt;script&gt;"


class Elements(HTMLParser):
    """Collect the tags in some HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_rendering(payload: str) -> None:
    html = str(render_math(f"Title {payload} end"))
    assert_inert(f"<body>{html}</body>")
    tags = Elements()
    tags.feed(html)
    assert MATH_TAGS >= tags.tags - {"span"}


def test_pages_and_json_show_hostile_titles_and_abstracts_inertly(client: Client) -> None:
    rows = demo_rows(len(PAYLOADS))
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row["title"] = f"A study {payload} of things"
        row["abstract"] = f"We show {payload} that $x^2$ works."
        row["authors"] = [f"Eve {payload}", "Bob"]
    with tempfile.TemporaryDirectory() as d:
        assert import_files([write_jsonl(Path(d) / "x.jsonl", rows)]).created == len(PAYLOADS)
    day = rows[0]["announced"]
    pages = [client.get(f"/papers/date/{day}").content.decode()]
    pages += [client.get(f"/papers/{row['id']}").content.decode() for row in rows]
    for html in pages:
        assert_inert(html)
    assert "&lt;script&gt;alert(" in pages[0]  # shown as text, not dropped
    data = client.get(f"/api/daily_papers?date={day}").json()
    assert any("<script>" in item["title"] for item in data)  # JSON carries text as text
    assert client.get(f"/api/daily_papers?date={day}")["Content-Type"] == "application/json; charset=utf-8"
