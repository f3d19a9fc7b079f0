"""Control characters from any source are stripped at ingest, and can never break a feed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from paperwire.papers.importer import import_files
from paperwire.papers.models import Paper, PaperCategory
from paperwire.text import clean_name, clean_text
from tests.ingest_fixtures import Reply, Upstream, fixture, run_ingest

from .conftest import demo_rows, write_jsonl
from .digests_fixtures import parsed

pytest_plugins = ["tests.ingest_fixtures"]  # the `upstream` fixture
pytestmark = pytest.mark.django_db

# What the probe sent: a backspace and an escape (possible in HF or Kaggle JSON), plus a NUL,
# a vertical tab, DEL and a lone surrogate, none of which XML or PostgreSQL text can hold.
DIRTY = "Attention\x08 is \x1b[31mall\x00 you\x0b need\x7f\ud800"
CLEAN = "Attention is [31mall you need"
FEEDS = ["daily", "weekly", "trending", "category/cs.LG"]


def test_the_cleaning_keeps_tabs_line_breaks_and_every_script() -> None:
    assert clean_text(DIRTY) == CLEAN
    assert clean_text("a\tb\nc\r\nd — ü 中文 العربية") == "a\tb\nc\r\nd — ü 中文 العربية"


def test_a_name_loses_bidi_overrides_and_line_breaks() -> None:
    # Tried: U+202E (right-to-left override), an escape and a line break in a display name.
    assert clean_name("\u202eevil\x1b[0m\nname\u2066") == "evil[0m name"


def test_the_file_importer_strips_control_characters_from_every_text_field(tmp_path: Path) -> None:
    row = {**demo_rows(1)[0]}
    row.update(title=DIRTY, abstract="An\x1b abstract", authors=["Ada\x08 Lovelace"])
    # json.dumps writes the controls as \u escapes, as a Kaggle/HF dump would.
    import_files([write_jsonl(tmp_path / "dirty.jsonl", [json.dumps(row)])])
    paper = Paper.objects.get(arxiv_id=row["id"])
    assert paper.title == CLEAN
    assert paper.abstract == "An abstract" and paper.authors == ["Ada Lovelace"]


def test_the_hugging_face_source_strips_control_characters(upstream: Upstream) -> None:
    items: list[dict[str, Any]] = json.loads(fixture("hf_daily_2026-06-15.json"))
    items[0]["paper"]["title"] = DIRTY
    items[0]["paper"]["summary"] = "Sum\x1bmary"
    items[0]["paper"]["ai_keywords"] = ["key\x08word"]
    body = json.dumps(items).encode()
    upstream.on(
        "/api/daily_papers",
        lambda q: Reply(200, body if q.get("p") == "0" else b"[]", "application/json"),
    )
    run_ingest("hf", "--date", "2026-06-15")
    paper = Paper.objects.get(arxiv_id=items[0]["paper"]["id"])
    assert paper.title == CLEAN and paper.abstract == "Summary" and paper.ai_keywords == ["keyword"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_stored_control_character_never_breaks_a_feed(client: Client, fmt: str) -> None:
    # Written past ingestion, as data stored before this cleaning existed would be.
    paper = Paper.objects.create(
        arxiv_id="2606.00001",
        title="Escaped\x1b title\x08",
        abstract="Back\x08space",
        authors=["Ada\x1b Lovelace"],
        categories=["cs.LG"],
        primary_category="cs.LG",
        listing_day=timezone.now().date(),
        published=timezone.now().date(),
    )
    PaperCategory.objects.create(paper=paper, code="cs.LG", primary=True)
    for name in FEEDS:
        feed = parsed(client, f"/feeds/{name}.{fmt}")  # was a 500 (UnserializableContentError)
        assert [e.title for e in feed.entries] == ["Escaped title"], name
