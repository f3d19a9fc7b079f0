"""What a digest says: the period's top trending papers, rendered for one subscriber."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape

from paperwire.feeds.models import SavedSearch
from paperwire.feeds.queries import digest_searches
from paperwire.feeds.saved import new_matches, search_path
from paperwire.papers import queries
from paperwire.papers.models import Paper
from paperwire.papers.periods import Period
from paperwire.papers.text import abstract_start, author_line

from .mail import Parts, ascii_header, compose, render_parts
from .models import Subscription
from .sections import member_sections
from .subscriptions import absolute
from .tokens import unsubscribe_token
from .updated import updated_section

log = logging.getLogger(__name__)

# The digest is rendered once per period and frequency; each subscriber's copy differs only in
# its unsubscribe link, put in place of this marker (10,000 renders took 3/4 of the send time).
UNSUBSCRIBE_MARK = "paperwire-unsubscribe-link-goes-here"
# Where a member's saved-search sections go; anonymous subscribers have none (an empty string).
SAVED_MARK = "paperwire-saved-search-sections-go-here"


@dataclass
class DigestContent:
    """The part of a digest that is the same for every subscriber of a period."""

    period: Period
    papers: list[dict[str, Any]]
    total: int  # papers listed in the period
    period_url: str
    rendered: dict[str, Parts] = field(default_factory=dict)  # by frequency, with UNSUBSCRIBE_MARK
    # A saved search's section, by query: members who saved the same query share the work.
    matches: dict[str, dict[str, Any]] = field(default_factory=dict)


def paper_item(p: Paper) -> dict[str, Any]:
    """Return what a digest shows of one paper."""
    return {
        "arxiv_id": p.arxiv_id,
        "title": " ".join(p.title.split()),
        "url": absolute(reverse("paper", args=[p.arxiv_id])),
        "authors": author_line(list(p.authors)),
        "abstract": abstract_start(p.abstract),
        "upvotes": p.upvotes + p.hf_upvotes,
        "comments": p.num_comments,
    }


def content_for(period: Period) -> DigestContent:
    """Return the period's top trending papers (settings.DIGEST_PAPERS) ready for the templates."""
    page = queries.feed(period, sort="trending", limit=settings.DIGEST_PAPERS, with_neighbours=False)
    papers = [paper_item(p) for p in page.papers]
    kind = "week" if period.kind == "week" else "day"
    return DigestContent(period, papers, page.total, absolute(reverse(kind, args=[period.slug])))


def message_id(sub: Subscription, period: Period) -> str:
    """Return the same Message-ID for the same subscriber and period, so a rare resend is a duplicate."""
    host = urlsplit(settings.BASE_URL).hostname or "paperwire.invalid"
    return f"<digest.{period.slug}.{sub.pk}@{host}>"


def render_digest(content: DigestContent, frequency: str) -> Parts:
    """Return the period's digest for subscribers of frequency, with UNSUBSCRIBE_MARK for the link."""
    if frequency not in content.rendered:
        context = {
            "period": content.period,
            "papers": content.papers,
            "total": content.total,
            "period_url": content.period_url,
            "frequency": frequency,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "saved_sections": SAVED_MARK,
            "base_url": settings.BASE_URL,
        }
        parts = render_parts("digests/email/digest", context)
        # Encoded once here (RFC 2047) rather than for every message: Python's encoder of
        # non-ASCII headers measures the subject letter by letter, 1 ms a message.
        content.rendered[frequency] = Parts(ascii_header(parts.subject), parts.text, parts.html)
    return content.rendered[frequency]


def saved_section(saved: SavedSearch, content: DigestContent) -> dict[str, Any]:
    """Return a saved search's section of the period's digest: its new matches (computed once)."""
    if saved.query not in content.matches:
        try:
            found = new_matches(saved.query, content.period, limit=settings.DIGEST_PAPERS)
            papers, total, error = [paper_item(p) for p in found.papers], found.total, False
        except (OSError, RuntimeError, ValueError):
            # The section is an extra: an index that cannot be read now must not stop the digest.
            log.exception("saved search %r: no matches for the digest", saved.query[:80])
            papers, total, error = [], 0, True
        content.matches[saved.query] = {"papers": papers, "total": total, "error": error}
    return {
        "name": saved.name,
        "url": absolute(search_path(saved.query, saved.sort, saved.mode)),
        **content.matches[saved.query],
    }


def saved_sections(sub: Subscription, content: DigestContent) -> tuple[str, str]:
    """Return the text and HTML of a member's saved-search sections ("" for anonymous subscribers)."""
    if sub.user_id is None:
        return "", ""
    searches = digest_searches(sub.user_id)
    sections = [saved_section(s, content) for s in searches]
    if not sections:
        return "", ""
    context = {"sections": sections, "period": content.period}
    text = get_template("digests/email/_saved.txt").render(context)
    html = get_template("digests/email/_saved.html").render(context)
    return text, html


def digest_message(sub: Subscription, content: DigestContent) -> EmailMultiAlternatives:
    """Return one subscriber's digest: both parts, the unsubscribe headers (RFC 2369, RFC 8058)."""
    unsubscribe_url = absolute(reverse("digests:unsubscribe", args=[unsubscribe_token(sub)]))
    parts = render_digest(content, sub.frequency)
    saved_text, saved_html = saved_sections(sub, content)
    updated_text, updated_html = updated_section(sub, paper_item)
    saved_text, saved_html = updated_text + saved_text, updated_html + saved_html
    if sub.user_id is not None:  # a member's copy: their mute rules and a "For you" section
        ids = [p["arxiv_id"] for p in content.papers]
        mine_text, mine_html, muted = member_sections(sub.user_id, content.period, ids)
        saved_text, saved_html = mine_text + saved_text, mine_html + saved_html
        if muted:
            kept = [p for p in content.papers if p["arxiv_id"] not in muted]
            parts = render_digest(
                DigestContent(content.period, kept, content.total, content.period_url), sub.frequency
            )
    personal = Parts(
        parts.subject,
        parts.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url).replace(SAVED_MARK, saved_text),
        parts.html.replace(UNSUBSCRIBE_MARK, escape(unsubscribe_url)).replace(SAVED_MARK, saved_html),
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id(sub, content.period),
    }
    return compose(personal, to=sub.email, headers=headers)
