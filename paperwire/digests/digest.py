"""What a digest says: the period's top trending papers, rendered for one subscriber."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.html import escape

from paperwire.papers import queries
from paperwire.papers.periods import Period

from .mail import Parts, ascii_header, compose, render_parts
from .models import Subscription
from .subscriptions import absolute
from .tokens import unsubscribe_token

ABSTRACT_CHARS = 280  # the start of an abstract shown under each title, cut at a word
AUTHORS_SHOWN = 4  # names listed before "and N more"
# The digest is rendered once per period and frequency; each subscriber's copy differs only in
# its unsubscribe link, put in place of this marker (10,000 renders took 3/4 of the send time).
UNSUBSCRIBE_MARK = "paperwire-unsubscribe-link-goes-here"


@dataclass
class DigestContent:
    """The part of a digest that is the same for every subscriber of a period."""

    period: Period
    papers: list[dict[str, Any]]
    total: int  # papers listed in the period
    period_url: str
    rendered: dict[str, Parts] = field(default_factory=dict)  # by frequency, with UNSUBSCRIBE_MARK


def abstract_start(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """Return the first limit characters of text, whitespace folded, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def author_line(authors: list[str]) -> str:
    """Return the first authors' names, and how many more there are."""
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    more = len(authors) - AUTHORS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def content_for(period: Period) -> DigestContent:
    """Return the period's top trending papers (settings.DIGEST_PAPERS) ready for the templates."""
    page = queries.feed(period, sort="trending", limit=settings.DIGEST_PAPERS, with_neighbours=False)
    papers = [
        {
            "arxiv_id": p.arxiv_id,
            "title": " ".join(p.title.split()),
            "url": absolute(reverse("paper", args=[p.arxiv_id])),
            "authors": author_line(list(p.authors)),
            "abstract": abstract_start(p.abstract),
            "upvotes": p.upvotes + p.hf_upvotes,
            "comments": p.num_comments,
        }
        for p in page.papers
    ]
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
            "base_url": settings.BASE_URL,
        }
        parts = render_parts("digests/email/digest", context)
        # Encoded once here (RFC 2047) rather than for every message: Python's encoder of
        # non-ASCII headers measures the subject letter by letter, 1 ms a message.
        content.rendered[frequency] = Parts(ascii_header(parts.subject), parts.text, parts.html)
    return content.rendered[frequency]


def digest_message(sub: Subscription, content: DigestContent) -> EmailMultiAlternatives:
    """Return one subscriber's digest: both parts, the unsubscribe headers (RFC 2369, RFC 8058)."""
    unsubscribe_url = absolute(reverse("digests:unsubscribe", args=[unsubscribe_token(sub)]))
    parts = render_digest(content, sub.frequency)
    personal = Parts(
        parts.subject,
        parts.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
        parts.html.replace(UNSUBSCRIBE_MARK, escape(unsubscribe_url)),
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id(sub, content.period),
    }
    return compose(personal, to=sub.email, headers=headers)
