"""Native JSON for pages' twins: the same facts the HTML shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .models import Paper


def paper_json(paper: Paper, request: HttpRequest | None = None) -> dict[str, Any]:
    """Return a paper as the JSON twin of its card and page."""
    url = reverse("paper", args=[paper.arxiv_id])
    return {
        "id": paper.arxiv_id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": paper.authors,
        "categories": paper.categories,
        "primary_category": paper.primary_category,
        "published": paper.published.isoformat() if paper.published else None,
        "updated": paper.updated.isoformat() if paper.updated else None,
        "listing_day": paper.listing_day.isoformat(),
        "versions": paper.versions,
        "latest_version": paper.latest_version,
        "comments": paper.comments,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "withdrawn": paper.withdrawn,
        "github_repo": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "upvotes": paper.upvotes,
        "hf_upvotes": paper.hf_upvotes,
        "num_comments": paper.num_comments,
        "submitted_by": paper.submitted_by,
        "url": request.build_absolute_uri(url) if request else url,
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
    }


def feed_json(ctx: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """Return a feed page's context as JSON."""
    feed = ctx["feed"]
    return {
        "period": {
            "kind": feed.period.kind,
            "slug": feed.period.slug,
            "start": feed.period.start.isoformat(),
            "end": feed.period.end.isoformat(),
        },
        "sort": feed.sort,
        "category": feed.category,
        "page": ctx["page"],
        "pages": ctx["pages"],
        "total": feed.total,
        "hidden": ctx.get("hidden", 0),  # papers of this page hidden by the member's mute rules
        "next_after": feed.next_after or None,  # the cursor of the next page (newest sort)
        "previous_before": feed.previous_before or None,  # and of the previous one
        "previous": feed.previous.slug if feed.previous else None,
        "next": feed.next.slug if feed.next else None,
        "categories": [{"code": c, "count": n} for c, n in ctx["categories"]],
        "papers": [paper_json(p, request) for p in feed.papers],
    }
