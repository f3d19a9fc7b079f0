"""Paper cards: rendered in Python with their fixed part kept, yet never stale and never live."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperwire.papers import queries
from paperwire.papers.models import Paper
from tests.markup import assert_inert
from tests.search_fixtures import import_slice

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & $x^2$'


def member_client(name: str = "ann") -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(name))
    return client


def day_page(client: Client, day: dt.date) -> str:
    resp = client.get(f"/papers/date/{day}")
    assert resp.status_code == 200
    return resp.content.decode()


def test_a_changed_title_abstract_and_vote_count_show_on_the_next_view(demo_papers: int) -> None:
    day = queries.latest_day()
    assert day is not None
    client = member_client()
    first = re.search(r'<h3 class="title"><a href="/papers/([^"]+)"', day_page(client, day))
    assert first is not None
    paper = Paper.objects.get(arxiv_id=first.group(1))
    Paper.objects.filter(pk=paper.pk).update(
        title="A wholly new title", abstract="A wholly new abstract.", upvotes=41, num_comments=7
    )
    html = day_page(client, day)
    card = html[html.index(f'id="paper-{paper.arxiv_id.replace(".", "")}"') :].split("</article>")[0]
    assert "A wholly new title" in card and paper.title not in card
    assert "A wholly new abstract." in card
    assert '<span class="count">41</span>' in card
    assert '7<span class="sr-only"> comments</span>' in card


def test_hostile_paper_text_is_escaped_on_every_card(demo_papers: int) -> None:
    day = queries.latest_day()
    assert day is not None
    Paper.objects.filter(listing_day=day).update(
        title=HOSTILE, abstract=HOSTILE, authors=[HOSTILE, "B"], submitted_by="<b>mallory</b>"
    )
    for client in (Client(), member_client()):
        html = day_page(client, day)
        assert_inert(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "submitted by &lt;b&gt;mallory&lt;/b&gt;" in html
        assert "<math" in html  # the title's math still renders


def test_a_members_page_asks_for_its_votes_and_marks_once(demo_papers: int) -> None:
    day = queries.latest_day()
    assert day is not None
    client = member_client()
    with CaptureQueriesContext(connection) as ctx:
        html = day_page(client, day)
    assert html.count('class="card"') > 10
    votes = [q["sql"] for q in ctx.captured_queries if "community_vote" in q["sql"]]
    assert len(votes) == 1, votes


@pytest.fixture
def indexed(db: None, tmp_path: Path) -> None:
    import_slice(tmp_path, 60)


def test_search_cards_ask_for_votes_once_and_mark_words_but_not_the_coins(indexed: None) -> None:
    client = member_client()
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/search", {"q": "diffusion model"})
    html = resp.content.decode()
    assert html.count('class="card"') > 3
    assert "<mark>" in html.lower()
    votes = [q["sql"] for q in ctx.captured_queries if "community_vote" in q["sql"]]
    assert len(votes) == 1, votes
    for span in html.split('class="Z3988"')[1:]:
        assert "<mark>" not in span.split("</span>")[0]


def test_cards_with_reasons_and_badges_escape_the_reasons(demo_papers: int) -> None:
    from django.template import Context

    from paperwire.web.templatetags.cards import paper_card

    paper = Paper.objects.order_by("pk").first()
    html: Any = paper_card(Context({}), paper, why=["close to <b>x</b>"], seen=True, muted=True)
    assert "<li>close to &lt;b&gt;x&lt;/b&gt;</li>" in html
    assert 'badge seen">seen' in html and 'badge warn">muted' in html
    assert_inert(f"<body>{html}</body>")


def test_search_marks_only_what_it_reads_never_the_buttons_words(indexed: None) -> None:
    html = member_client().get("/search", {"q": "diffusion save comments upvote"}).content.decode()
    assert "<mark>" in html.lower()
    for form in re.findall(r"<form.*?</form>", html, re.S):
        assert "<mark>" not in form
    assert "<mark>comments</mark>" not in html
