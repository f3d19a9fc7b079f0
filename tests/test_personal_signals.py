"""Save, not interested and reading status: toggles in place (htmx) and as plain form posts."""

from __future__ import annotations

from typing import Any

import pytest

from paperwire.papers.models import Paper
from paperwire.personal import signals
from paperwire.personal.models import LibraryItem, NotInterested
from tests.community_data import make_paper
from tests.personal_fixtures import logged_in

pytest_plugins = ["tests.personal_fixtures", "tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_saving_without_javascript_toggles_and_goes_back(member: Any) -> None:
    paper = make_paper()
    client = logged_in(member)
    r = client.post(f"/papers/{paper.arxiv_id}/save", {"next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert LibraryItem.objects.filter(user=member, paper=paper, status="to-read").exists()
    client.post(f"/papers/{paper.arxiv_id}/save", {"next": "/"})
    assert not LibraryItem.objects.filter(user=member).exists()


def test_saving_with_htmx_answers_the_pressed_button(member: Any) -> None:
    paper = make_paper()
    r = logged_in(member).post(f"/papers/{paper.arxiv_id}/save", {"state": "on"}, **HTMX)
    html = r.content.decode()
    assert 'aria-pressed="true"' in html and "Saved" in html and 'name="state" value="off"' in html


def test_not_interested_collapses_the_card_and_undo_brings_it_back(member: Any) -> None:
    paper = make_paper(title="A study of muted things")
    client = logged_in(member)
    r = client.post(f"/papers/{paper.arxiv_id}/not-interested", {"state": "on"}, **HTMX)
    html = r.content.decode()
    assert 'class="card collapsed"' in html and "Undo" in html and "A study of muted things" in html
    assert NotInterested.objects.filter(user=member, paper=paper).exists()
    r = client.post(f"/papers/{paper.arxiv_id}/not-interested", {"state": "off"}, **HTMX)
    html = r.content.decode()
    assert '<article class="card"' in html and "Not interested" in html
    assert not NotInterested.objects.filter(user=member).exists()


def test_not_interested_without_javascript_hides_the_paper_with_a_line_to_show_it(member: Any) -> None:
    paper = make_paper(title="Unwanted result")
    client = logged_in(member)
    r = client.post(f"/papers/{paper.arxiv_id}/not-interested", {"next": "/"})
    assert r.status_code == 302
    page = client.get("/").content.decode()
    assert "Unwanted result" not in page
    assert "1 paper hidden by your mute rules" in page and "show_hidden=1" in page
    shown = client.get("/?show_hidden=1").content.decode()
    assert "Unwanted result" in shown and 'aria-pressed="true" title="Show this paper to me again"' in shown


def test_saving_a_paper_lifts_its_not_interested_mark_and_the_other_way_round(member: Any) -> None:
    paper = make_paper()
    signals.set_not_interested(member, paper, True)
    signals.set_saved(member, paper, True)
    assert not NotInterested.objects.exists() and LibraryItem.objects.exists()
    signals.set_not_interested(member, paper, True)
    assert NotInterested.objects.exists() and not LibraryItem.objects.exists()


def test_reading_status_saves_and_marks_read_and_refuses_other_values(member: Any) -> None:
    paper = make_paper()
    client = logged_in(member)
    client.post(f"/papers/{paper.arxiv_id}/status", {"status": "read"})
    item = LibraryItem.objects.get(user=member, paper=paper)
    assert item.status == "read" and item.read_at is not None
    r = client.post(f"/papers/{paper.arxiv_id}/status", {"status": "finished"})
    assert r.status_code == 400 and "status must be one of to-read, read" in r.content.decode()
    assert LibraryItem.objects.get(user=member, paper=paper).status == "read"


def test_a_bad_state_or_id_is_refused_and_changes_nothing(member: Any) -> None:
    paper = make_paper()
    client = logged_in(member)
    assert client.post(f"/papers/{paper.arxiv_id}/save", {"state": "maybe"}).status_code == 400
    assert client.post("/papers/not-an-id/save").status_code == 400
    assert client.post("/papers/2601.99999/save").status_code == 404
    assert not LibraryItem.objects.exists()


def test_visitors_are_sent_to_log_in_and_get_no_buttons(db: None) -> None:
    from django.test import Client

    paper = make_paper()
    r = Client().post(f"/papers/{paper.arxiv_id}/save")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert "Not interested" not in Client().get("/").content.decode()
    assert not LibraryItem.objects.exists()


def test_every_card_and_the_paper_page_carry_both_buttons_with_their_state(member: Any) -> None:
    first = make_paper("2606.00001")
    make_paper("2606.00002")
    signals.set_saved(member, first, True)
    client = logged_in(member)
    feed = client.get("/").content.decode()
    assert feed.count("Not interested</button>") == 2
    assert feed.count('aria-pressed="true" title="Remove from your library"') == 1
    page = client.get(f"/papers/{first.arxiv_id}").content.decode()
    assert 'title="Remove from your library"' in page and "Not interested</button>" in page
    assert Paper.objects.count() == 2
