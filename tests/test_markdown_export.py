"""Markdown for agents: one paper with its discussion at /papers/<id>.md, and ?format=md on lists."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client

from paperwire.community import comments

from .community_data import make_member, make_paper
from .conftest import demo_rows

pytestmark = pytest.mark.django_db


def test_a_papers_markdown_keeps_its_latex_and_brings_the_discussion(client: Client) -> None:
    paper = make_paper(
        "2606.05555",
        title="Bounds on $\\mathbb{R}^n$\n  packings",
        abstract="We show $O(n \\log n)$.\n\nA second paragraph with \\emph{emphasis}.",
        authors=["Ada Lovelace", "Alan Turing"],
        categories=["math.MG", "cs.DM"],
        published=dt.date(2026, 6, 1),
        updated=dt.date(2026, 6, 9),
        latest_version=2,
    )
    ada, bob = make_member("ada", password=False), make_member("bob", password=False)
    top = comments.create(ada, paper, "Nice **bound**; does it hold for $n=3$?")
    comments.create(bob, paper, "Yes, see\nsection 4.", top.pk)
    response = client.get("/papers/2606.05555.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == "# Bounds on $\\mathbb{R}^n$ packings"
    assert "- **arXiv:** [2606.05555](https://arxiv.org/abs/2606.05555) (v2)" in lines
    assert "- **Authors:** Ada Lovelace, Alan Turing" in lines
    assert "- **First version:** 2026-06-01" in lines and "- **Last updated:** 2026-06-09" in lines
    assert "- **PDF:** https://arxiv.org/pdf/2606.05555" in lines
    assert "- **Page:** http://testserver/papers/2606.05555" in lines
    assert "We show $O(n \\log n)$.\n\nA second paragraph with \\emph{emphasis}." in text
    assert "<math" not in text
    assert "## Discussion (1)" in lines
    assert lines[lines.index("## Discussion (1)") + 2].startswith("### ada · ")
    assert "Nice **bound**; does it hold for $n=3$?" in lines
    assert "> Yes, see" in lines and "> section 4." in lines


def test_a_paper_with_no_comments_says_so(client: Client) -> None:
    make_paper("2606.05556")
    assert "## Discussion (0)\n\n_No comments yet._\n" in client.get("/papers/2606.05556.md").content.decode()


def test_a_day_page_as_markdown_lists_every_paper_without_discussions(
    client: Client, demo_papers: int
) -> None:
    days = Counter(r["announced"] for r in demo_rows())
    day = max(days)
    response = client.get(f"/papers/date/{day}?format=md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Papers of ")
    assert f"{days[day]} papers." in text
    assert text.count("\n## ") == days[day]
    assert text.count("\n### Abstract") == days[day]
    assert "### Discussion (" not in text
