"""Papers as Markdown for agents and scripts: math stays LaTeX, the discussion comes along."""

from __future__ import annotations

from django.db.models import Q

from paperwire.community.models import Comment
from paperwire.papers.models import Paper


def _line(text: str) -> str:
    return " ".join((text or "").split())


def _facts(paper: Paper, url: str) -> list[str]:
    facts = [
        f"- **arXiv:** [{paper.arxiv_id}]({paper.abs_url})"
        + (f" (v{paper.latest_version})" if paper.latest_version else ""),
        f"- **Authors:** {', '.join(paper.authors)}",
        f"- **Categories:** {', '.join(paper.categories)}",
    ]
    if paper.published:
        facts.append(f"- **First version:** {paper.published.isoformat()}")
    if paper.updated:
        facts.append(f"- **Last updated:** {paper.updated.isoformat()}")
    facts.append(f"- **Listed:** {paper.listing_day.isoformat()}")
    facts.append(f"- **PDF:** {paper.pdf_url}")
    if url:
        facts.append(f"- **Page:** {url}")
    if paper.github_repo:
        facts.append(f"- **Code:** {paper.github_repo}")
    if paper.project_page:
        facts.append(f"- **Project page:** {paper.project_page}")
    if paper.journal_ref:
        facts.append(f"- **Journal ref:** {_line(paper.journal_ref)}")
    if paper.doi:
        facts.append(f"- **DOI:** {paper.doi}")
    facts.append(f"- **Upvotes:** {paper.upvotes + paper.hf_upvotes}")
    if paper.withdrawn:
        facts.append("- **Withdrawn:** yes")
    return facts


def _quoted(body: str, depth: int) -> str:
    prefix = "> " * depth
    return "\n".join((prefix + line).rstrip() for line in body.strip().splitlines())


def discussion(paper: Paper, level: int = 3) -> tuple[int, list[str]]:
    """Return a paper's visible comment count and Markdown lines, replies quoted under their comment."""
    rows = list(
        Comment.objects.filter(paper=paper, hidden=False, author__member__suspended=False)
        .filter(Q(deleted=False) | Q(replies__isnull=False))
        .distinct()
        .order_by("created_at", "id")
        .values_list("pk", "parent_id", "author__username", "created_at", "body", "deleted")
    )
    top = [r for r in rows if r[1] is None]
    lines: list[str] = []
    for pk, _, who, at, body, deleted in top:
        lines += ["", f"{'#' * level} {who} · {at:%Y-%m-%d %H:%M} UTC", ""]
        lines.append("_[deleted]_" if deleted else body.strip())
        for _, parent, rwho, rat, rbody, rdeleted in rows:
            if parent == pk and not rdeleted:
                lines += ["", f"> **{rwho}** · {rat:%Y-%m-%d %H:%M} UTC", ">", _quoted(rbody, 1)]
    return len(top), lines


def paper_markdown(paper: Paper, url: str = "", with_discussion: bool = True, level: int = 1) -> str:
    """Return one paper as Markdown: title, facts, abstract (LaTeX as written), discussion."""
    h, sub = "#" * level, "#" * (level + 1)
    lines = [f"{h} {_line(paper.title)}", "", *_facts(paper, url), "", f"{sub} Abstract", ""]
    lines.append(paper.abstract.strip())
    if paper.ai_summary:
        lines += ["", f"{sub} AI summary", "", _line(paper.ai_summary)]
    if with_discussion:
        count, talk = discussion(paper, level + 2)
        lines += ["", f"{sub} Discussion ({count})"]
        lines += talk or ["", "_No comments yet._"]
    return "\n".join(lines) + "\n"


def list_markdown(title: str, papers: list[Paper], urls: list[str]) -> str:
    """Return a list page as Markdown: one section per paper, without discussions."""
    parts = [f"# {title}", "", f"{len(papers)} papers.", ""]
    for paper, url in zip(papers, urls, strict=True):
        parts.append(paper_markdown(paper, url, with_discussion=False, level=2))
    return "\n".join(parts)
