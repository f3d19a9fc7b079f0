"""Papers in the Hugging Face papers API dialect, so huggingface_hub's HfApi reads them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from paperwire.papers.models import Paper
from paperwire.papers.queries import HUB_SUBMITTER

MAX_LIMIT = 100  # items per request, in every API endpoint; the Hub's own default is 50


def hf_time(value: dt.datetime | dt.date | None) -> str | None:
    """Return a time as the HF API writes it: 2025-09-04T21:26:31.000Z (UTC)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _oid(*parts: str) -> str:
    """Return a stable 24-hex-digit id, shaped like the Hub's object ids."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def user_overview(name: str, fullname: str = "") -> dict[str, Any]:
    """Return the Hub's user-overview object for a submitter."""
    return {
        "_id": _oid("user", name),
        "avatarUrl": "",
        "fullname": fullname or name,
        "name": name,
        "user": name,
        "type": "user",
        "isPro": False,
    }


def submitter_of(paper: Paper) -> dict[str, Any]:
    """Return who put the paper on the daily list: a member, HF's submitter, or the arXiv listing."""
    if paper.submitted_by:
        return user_overview(paper.submitted_by)
    return user_overview(HUB_SUBMITTER, "arXiv listing")


def submitted_at(paper: Paper) -> dt.datetime | dt.date:
    """Return when the paper was put on the daily list (its listing day when nobody submitted it)."""
    return paper.submitted_at or paper.listing_day


def paper_fields(paper: Paper) -> dict[str, Any]:
    """Return the fields of the Hub's nested `paper` object."""
    fields: dict[str, Any] = {
        "id": paper.arxiv_id,
        "title": paper.title,
        "summary": paper.abstract,
        "publishedAt": hf_time(paper.published or paper.listing_day),
        "upvotes": paper.upvotes + paper.hf_upvotes,
        "discussionId": _oid("discussion", paper.arxiv_id),
        "authors": [
            {"_id": _oid("author", paper.arxiv_id, str(i)), "name": name, "hidden": False}
            for i, name in enumerate(paper.authors)
        ],
        "submittedOnDailyAt": hf_time(submitted_at(paper)),
        "submittedOnDailyBy": submitter_of(paper),
        "mediaUrls": [],  # the Hub's figures and videos; paperwire keeps none (an empty list, not absent)
    }
    if paper.ai_summary:
        fields["ai_summary"] = paper.ai_summary
    if paper.ai_keywords:
        fields["ai_keywords"] = paper.ai_keywords
    if paper.github_repo:
        fields["githubRepo"] = paper.github_repo
    if paper.github_stars is not None:
        fields["githubStars"] = paper.github_stars
    if paper.project_page:
        fields["projectPage"] = paper.project_page
    if paper.withdrawn:
        fields["withdrawnAt"] = hf_time(paper.updated or paper.listing_day)
    return fields


# Fields the client reads only at the top level of an item (see formats/README.md 3.3).
TOP_LEVEL_EXTRAS = ("ai_summary", "ai_keywords", "githubRepo", "githubStars", "projectPage", "mediaUrls")


def daily_item(paper: Paper) -> dict[str, Any]:
    """Return one /api/daily_papers (and search) item: nested paper plus list fields."""
    inner = paper_fields(paper)
    item: dict[str, Any] = {
        "paper": inner,
        "title": paper.title,
        "summary": paper.abstract,
        "publishedAt": hf_time(submitted_at(paper)),
        "thumbnail": "",
        "numComments": paper.num_comments,
        "isAuthorParticipating": False,
        "submittedBy": submitter_of(paper),
    }
    item.update({k: inner[k] for k in TOP_LEVEL_EXTRAS if k in inner})
    return item


def flat_paper(paper: Paper) -> dict[str, Any]:
    """Return the flat object of /api/papers/{id}."""
    obj = paper_fields(paper)
    obj.update(
        {
            "numComments": paper.num_comments,
            "linkedModels": [],
            "numTotalModels": 0,
            "linkedDatasets": [],
            "numTotalDatasets": 0,
            "linkedSpaces": [],
            "numTotalSpaces": 0,
        }
    )
    return obj
