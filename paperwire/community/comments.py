"""Comments on papers: write, reply (one level), edit and delete your own; counts kept exact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from paperwire.papers.models import Paper

from . import markdown
from .models import Comment


class CommentError(ValueError):
    """Raised for a comment that cannot be saved; the message says why."""


def check_body(body: str) -> str:
    """Return the comment text stripped, or raise CommentError when empty or too long."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise CommentError("Write something first: the comment is empty.")
    limit = settings.COMMENT_MAX_CHARS
    if len(text) > limit:
        raise CommentError(f"The comment is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def counts(comment: Comment) -> bool:
    """Return whether a comment counts in Paper.num_comments (shown to everyone)."""
    return not (comment.deleted or comment.hidden or comment.author.member.suspended)


def visible_comments() -> QuerySet[Comment]:
    """Return the comments everyone may see: not hidden, not deleted, author not suspended."""
    return Comment.objects.filter(hidden=False, deleted=False, author__member__suspended=False)


def create(user: Any, paper: Paper, body: str, parent_id: int | None = None) -> Comment:
    """Save a comment or a reply and count it on the paper, in one transaction."""
    text = check_body(body)
    with transaction.atomic():
        parent = None
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id, paper=paper).first()
            if parent is None or parent.deleted or parent.hidden:
                raise CommentError("The comment you replied to is no longer there.")
            # One level of replies: a reply to a reply joins the same thread.
            if parent.parent_id is not None:
                parent = parent.parent
        comment = Comment.objects.create(
            paper=paper, author=user, parent=parent, body=text, html=markdown.render(text)
        )
        Paper.objects.filter(pk=paper.pk).update(num_comments=F("num_comments") + 1)
    return comment


def edit(comment: Comment, body: str) -> Comment:
    """Replace a comment's text (the caller checked it is the author's own)."""
    text = check_body(body)
    if comment.deleted:
        raise CommentError("A deleted comment cannot be edited.")
    comment.body = text
    comment.html = markdown.render(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "html", "edited_at"])
    return comment


def delete(comment: Comment) -> None:
    """Delete a comment (the caller checked it is the author's own), keeping its replies' thread."""
    with transaction.atomic():
        fresh = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author__member")
            .get(pk=comment.pk)
        )
        if fresh.deleted:
            return
        was_counted = counts(fresh)
        if fresh.parent_id is None and fresh.replies.exists():
            # Replies stay; the comment they answer becomes a "deleted" placeholder.
            Comment.objects.filter(pk=fresh.pk).update(deleted=True, body="", html="")
        else:
            fresh.delete()
        if was_counted:
            Paper.objects.filter(pk=fresh.paper_id).update(num_comments=F("num_comments") - 1)


@dataclass(slots=True)
class Shown:
    """A comment as the discussion shows it: plain values, no model instances to build."""

    pk: int
    parent_id: int | None
    author_id: int
    username: str
    display_name: str
    html: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    deleted: bool


@dataclass
class Thread:
    comment: Shown
    replies: list[Shown] = field(default_factory=list)


SHOWN_FIELDS = (
    "pk",
    "parent_id",
    "author_id",
    "author__username",
    "author__member__display_name",
    "html",
    "created_at",
    "edited_at",
    "deleted",
)


def threads(paper: Paper) -> list[Thread]:
    """Return a paper's discussion as threads, oldest first, without hidden comments."""
    rows = [
        Shown(*values)
        for values in Comment.objects.filter(paper=paper, hidden=False, author__member__suspended=False)
        .order_by("created_at", "id")
        .values_list(*SHOWN_FIELDS)
    ]
    by_id: dict[int, Thread] = {}
    out: list[Thread] = []
    for c in rows:
        if c.parent_id is None:
            by_id[c.pk] = Thread(c)
            out.append(by_id[c.pk])
    for c in rows:
        if c.parent_id is not None and c.parent_id in by_id and not c.deleted:
            by_id[c.parent_id].replies.append(c)
    # A deleted comment with no reply left has nothing to show.
    return [t for t in out if not (t.comment.deleted and not t.replies)]
