"""A reader in Chromium opens a paper's Cite menu and copies its BibTeX; without JavaScript the
text is still there to select."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from .community_data import make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_opens_the_cite_menu_and_copies_the_bibtex(
    live_server: Any, chromium: Any, screenshots: Path
) -> None:
    make_paper(
        "2606.08888", title="Copy me & cite me", authors=["Ada Lovelace"], published=dt.date(2026, 6, 1)
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/papers/2606.08888")
    menu = page.locator("details.cite-menu")
    assert not page.locator("#cite-bibtex").is_visible()  # closed until asked
    menu.locator("summary").click()
    assert page.locator("#cite-bibtex").is_visible()
    button = page.locator("button[data-copy=cite-bibtex]")
    assert button.is_visible()  # the script showed it
    button.click()
    page.wait_for_function("document.querySelector('button[data-copy=cite-bibtex]').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{lovelace2026copy_2606.08888,") and "Copy me \\& cite me" in copied
    page.screenshot(path=str(screenshots / "cite-menu.png"), full_page=False)
    context.close()

    # Without JavaScript the copy buttons stay hidden and the text is there to select.
    plain = chromium.new_context(java_script_enabled=False)
    page = plain.new_page()
    page.goto(live_server.url + "/papers/2606.08888")
    page.locator("details.cite-menu summary").click()
    assert page.locator("#cite-ris").inner_text().startswith("TY  - UNPB")
    assert not page.locator("button[data-copy=cite-ris]").is_visible()
    plain.close()
