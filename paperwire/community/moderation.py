"""Moderators' actions: hide or restore papers, comments and submissions; suspend members."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from paperwire.papers.models import Paper

from .models import Comment, Member, Submission, Vote


def recount(paper_ids: Iterable[int]) -> int:
    """Set papers' upvotes and num_comments from the rows that count; return papers updated."""
    ids = sorted(set(paper_ids))
    if not ids:
        return 0
    votes = (
        Vote.objects.filter(paper=OuterRef("pk"), user__member__suspended=False)
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    comments = (
        Comment.objects.filter(
            paper=OuterRef("pk"), hidden=False, deleted=False, author__member__suspended=False
        )
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Paper.objects.filter(pk__in=ids).update(
        upvotes=Coalesce(Subquery(votes, output_field=IntegerField()), Value(0)),
        num_comments=Coalesce(Subquery(comments, output_field=IntegerField()), Value(0)),
    )


def touched_papers(user_ids: Iterable[int]) -> set[int]:
    """Return the papers these members voted on or commented on."""
    ids = list(user_ids)
    voted = Vote.objects.filter(user_id__in=ids).values_list("paper_id", flat=True)
    commented = Comment.objects.filter(author_id__in=ids).values_list("paper_id", flat=True)
    return set(voted) | set(commented)


def set_suspended(members: Iterable[Member], suspended: bool, reason: str = "") -> int:
    """Suspend or reinstate members: their votes stop (or start again) counting, comments hide."""
    pks = [m.pk for m in members]
    with transaction.atomic():
        qs = Member.objects.filter(pk__in=pks)
        changed = qs.exclude(suspended=suspended)
        user_ids = list(changed.values_list("user_id", flat=True))
        changed.update(
            suspended=suspended,
            suspended_at=timezone.now() if suspended else None,
            suspended_reason=reason if suspended else "",
        )
        recount(touched_papers(user_ids))
    return len(user_ids)


def set_comments_hidden(comment_ids: Iterable[int], hidden: bool) -> int:
    """Hide or restore comments and recount their papers."""
    ids = list(comment_ids)
    with transaction.atomic():
        n = Comment.objects.filter(pk__in=ids).update(hidden=hidden)
        recount(Comment.objects.filter(pk__in=ids).values_list("paper_id", flat=True))
    return n


def set_submissions_hidden(submission_ids: Iterable[int], hidden: bool) -> int:
    """Hide or restore submissions; the papers they brought leave or rejoin the feed."""
    ids = list(submission_ids)
    with transaction.atomic():
        n = Submission.objects.filter(pk__in=ids).update(hidden=hidden)
        paper_ids = Submission.objects.filter(pk__in=ids).values_list("paper_id", flat=True)
        Paper.objects.filter(pk__in=list(paper_ids)).update(hidden=hidden, modified_at=timezone.now())
    return n


def set_papers_hidden(paper_ids: Iterable[int], hidden: bool) -> int:
    """Hide or restore papers."""
    return Paper.objects.filter(pk__in=list(paper_ids)).update(hidden=hidden, modified_at=timezone.now())
