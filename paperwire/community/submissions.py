"""Members put papers on the day's feed by arXiv id or URL, fetching unknown ones from arXiv."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.models import Paper
from paperwire.papers.upsert import upsert_records

from . import arxiv
from .models import Submission


class SubmissionRefused(ValueError):
    """Raised for a submission that cannot be taken; the message says why."""


@dataclass(frozen=True)
class SubmitResult:
    paper: Paper
    created: bool  # True: this member put it on the feed; False: it was already there
    message: str


def _too_old(published: dt.date | None, today: dt.date) -> bool:
    return published is not None and (today - published).days > settings.SUBMIT_MAX_AGE_DAYS


def submit(user: Any, text: str, *, now: dt.datetime | None = None) -> SubmitResult:
    """Put the paper named by an arXiv id or URL on today's feed as submitted by user."""
    now = now or timezone.now()
    today = now.date()
    try:
        arxiv_id = parse_arxiv_id(text).id
    except InvalidArxivId as e:
        raise SubmissionRefused(f"{e}. Paste an arXiv id or an arxiv.org/abs or /pdf link.") from None
    existing = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if existing is not None:
        return _already_there(existing)
    record = arxiv.fetch_paper(arxiv_id)
    if record is None:
        raise SubmissionRefused(f"arXiv has no paper {arxiv_id}.")
    if _too_old(record.published, today):
        raise SubmissionRefused(
            f"arXiv:{arxiv_id} first appeared on {record.published:%d %B %Y}; only papers whose first "
            f"version is at most {settings.SUBMIT_MAX_AGE_DAYS} days old can be submitted."
        )
    with transaction.atomic():
        upsert_records([record])
        # A conditional update: of two members submitting the same new paper, one wins.
        won = Paper.objects.filter(arxiv_id=arxiv_id, submitted_at__isnull=True).update(
            submitted_at=now, submitted_by=user.get_username(), listing_day=today
        )
        paper = Paper.objects.get(arxiv_id=arxiv_id)
        if not won:
            return _already_there(paper)
        Submission.objects.create(paper=paper, user=user, fetched=True)
    return SubmitResult(paper, True, f"Thanks! “{paper.title}” is on today's feed.")


def _already_there(paper: Paper) -> SubmitResult:
    if paper.hidden:
        raise SubmissionRefused(
            f"arXiv:{paper.arxiv_id} was removed by the moderators and cannot be submitted."
        )
    if paper.submitted_by:
        message = f"arXiv:{paper.arxiv_id} was already submitted by {paper.submitted_by}: here it is."
    else:
        listed = f"{paper.listing_day:%d %B %Y}"
        message = f"arXiv:{paper.arxiv_id} is already on paperwire (listed {listed}): here it is."
    return SubmitResult(paper, False, message)
