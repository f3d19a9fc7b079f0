"""The discussion's HTML, written in Python: a page with hundreds of comments renders in a few ms.

Django's template engine costs tens of microseconds per comment (an include, URL reversals,
date filters); a 200-comment page spent most of its time there. Everything user-written is
escaped here except Comment.html, which was sanitised by nh3 when the comment was saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.timesince import timesince

from paperwire.papers.models import Paper

from .comments import Shown, Thread


def ago(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """Return how long ago a moment was, in words: 'just now', '3 hours ago'."""
    now = now or timezone.now()
    if now - when < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(when, now).split(',')[0]} ago"


class DiscussionRenderer:
    """Render threads for one viewer (their own comments get Edit / Delete, others' Report)."""

    def __init__(self, me: int | None, csrf_token: str, paper_url_id: str, can_reply: bool) -> None:
        self.me = me
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        self.can_reply = can_reply
        self.now = timezone.now()
        self.create_url = reverse("comment_create", args=[paper_url_id])
        # One reversal each, then string formatting per comment.
        self.edit_url = reverse("comment_edit", args=["0"])[: -len("0/edit")]
        self.member_url = reverse("member", args=["x"])[:-1]

    def comment(self, c: Shown, reply: bool) -> str:
        cls = "comment reply" if reply else "comment"
        if c.deleted:
            gone = '<p class="gone">This comment was deleted.</p>'
            return f'<article class="{cls}" id="comment-{c.pk}">{gone}</article>'
        username = escape(c.username)
        display = c.display_name
        name = escape(display or c.username)
        handle = f' <span class="handle">@{username}</span>' if display else ""
        created = c.created_at
        edited = ""
        if c.edited_at:
            edited = f' · <span class="edited" title="{c.edited_at:%d %b %Y, %H:%M} UTC">edited</span>'
        actions = ""
        if self.me is not None:
            base = f"{self.edit_url}{c.pk}/"
            if c.author_id == self.me:
                actions = (
                    f'<div class="comment-actions"><a href="{base}edit">Edit</a>'
                    f'<form method="post" action="{base}delete">{self.csrf}'
                    '<button class="linkish">Delete</button></form></div>'
                )
            else:
                actions = f'<div class="comment-actions"><a href="{base}report">Report</a></div>'
        return (
            f'<article class="{cls}" id="comment-{c.pk}"><header class="comment-head">'
            f'<a class="who" href="{self.member_url}{username}">{name}</a>{handle} · '
            f'<time datetime="{created.isoformat()}" title="{created:%d %b %Y, %H:%M} UTC">'
            f"{ago(created, self.now)}</time>{edited}</header>"
            f'<div class="comment-body">{c.html}</div>{actions}</article>'
        )

    def thread(self, t: Thread) -> str:
        parts = ['<div class="thread">', self.comment(t.comment, False)]
        if t.replies:
            parts.append('<div class="replies">')
            parts.extend(self.comment(r, True) for r in t.replies)
            parts.append("</div>")
        if self.can_reply and not t.comment.deleted:
            parts.append(
                '<details class="reply-box"><summary>Reply</summary>'
                f'<form class="comment-form" method="post" action="{self.create_url}">{self.csrf}'
                f'<input type="hidden" name="parent" value="{t.comment.pk}">'
                '<textarea name="body" rows="3" required aria-label="Your reply" placeholder="Reply…">'
                "</textarea>"
                '<div class="form-foot"><button class="btn primary" type="submit">Reply</button></div>'
                "</form></details>"
            )
        parts.append("</div>")
        return "".join(parts)

    def threads(self, threads: Iterable[Thread]) -> SafeString:
        return mark_safe("".join(self.thread(t) for t in threads))  # noqa: S308  (escaped above)


def upvotes_in_words(n: int) -> str:
    """Return a count of upvotes in words: '1 upvote', '12 upvotes'."""
    return f"{n} upvote{'' if n == 1 else 's'}"


def vote_button(paper: Paper, voted: bool, *, size: str, csrf_token: str, next_url: str) -> SafeString:
    """Return the upvote toggle of a paper: an htmx form that also works as a plain POST."""
    # The route is papers/<id>/vote under the site's prefix (community.urls): no reverse() per card.
    url = f"{get_script_prefix()}papers/{paper.arxiv_id}/vote"
    total = paper.upvotes + paper.hf_upvotes
    hf = f", {paper.hf_upvotes} of them on Hugging Face" if paper.hf_upvotes else ""
    count = upvotes_in_words(total) + hf
    # The name says what pressing does, the count and the state, and holds the visible text
    # (WCAG 2.5.3): "Upvote, 12 upvotes, not voted" and "Remove upvote, upvoted, 13 upvotes".
    name = f"Remove upvote, upvoted, {count}" if voted else f"Upvote, {count}, not voted"
    said = f"{'Upvoted' if voted else 'Upvote removed'}. {count}."
    classes = " ".join(x for x in ("vote", size if size in ("wide",) else "", "on" if voted else "") if x)
    label = f'<span class="label">{"Upvoted" if voted else "Upvote"}</span>' if size == "wide" else ""
    # A stable id: htmx puts focus back on the new button after the swap.
    html = (
        f'<form class="{classes}" method="post" action="{url}" hx-post="{url}" hx-target="this" '
        f'hx-swap="outerHTML" data-announce="{escape(said)}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        f'<input type="hidden" name="state" value="{"off" if voted else "on"}">'
        f'<input type="hidden" name="size" value="{escape(size)}">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        f'<button type="submit" id="vote-{escape(slugify(paper.arxiv_id))}" aria-label="{escape(name)}" '
        f'title="{escape(name)}"><span class="arrow" aria-hidden="true">▲</span>'
        f'{label} <span class="count">{total}</span></button></form>'
    )
    return mark_safe(html)  # noqa: S308  (every value above is escaped or a number)
