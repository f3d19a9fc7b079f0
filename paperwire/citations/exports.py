"""Export responses: one paper at /papers/<id>.<ext>, and any list page at ?format=<name>.

A list view calls `maybe_export(request, fetch, title, filename)` before it renders: when the
request asks for an export format it gets the response (every paper of the list, up to
settings.EXPORT_MAX_PAPERS), otherwise None and the view goes on as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from paperwire.papers.models import Paper

from .formats import CONTENT_TYPES, EXTENSIONS, WRITERS
from .markdown import list_markdown, paper_markdown

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
LIST_FORMATS = ("bibtex", "ris", "csljson", "md")  # the ?format= values every list page answers
# The file name endings of one paper's exports, and the format each one names.
PAPER_EXTENSIONS = {"bib": "bibtex", "ris": "ris", "csl.json": "csljson", "md": "md"}


def export_format(request: HttpRequest) -> str | None:
    """Return the export format the request asks for, or None for a page."""
    fmt = request.GET.get("format", "")
    return fmt if fmt in LIST_FORMATS else None


def page_url(request: HttpRequest, paper: Paper) -> str:
    """Return the absolute address of a paper's page here."""
    return request.build_absolute_uri(reverse("paper", args=[paper.arxiv_id]))


def _response(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def paper_export(request: HttpRequest, paper: Paper, fmt: str) -> HttpResponse:
    """Return one paper in an export format."""
    stem = paper.arxiv_id.replace("/", "-")
    if fmt == "md":
        return _response(paper_markdown(paper, page_url(request, paper)), MARKDOWN_TYPE, f"{stem}.md")
    return _response(WRITERS[fmt]([paper]), CONTENT_TYPES[fmt], f"{stem}.{EXTENSIONS[fmt]}")


def list_export(
    request: HttpRequest, fmt: str, papers: Sequence[Paper], title: str, filename: str
) -> HttpResponse:
    """Return a list of papers in an export format; X-Export-Limit says the cap it was cut at."""
    papers = list(papers)
    if fmt == "md":
        urls = [page_url(request, p) for p in papers]
        response = _response(list_markdown(title, papers, urls), MARKDOWN_TYPE, f"{filename}.md")
    else:
        body = WRITERS[fmt](papers)
        response = _response(body, CONTENT_TYPES[fmt], f"{filename}.{EXTENSIONS[fmt]}")
    response["X-Export-Count"] = str(len(papers))
    response["X-Export-Limit"] = str(settings.EXPORT_MAX_PAPERS)
    return response


def maybe_export(
    request: HttpRequest, fetch: Callable[[int], Sequence[Paper]], title: str, filename: str
) -> HttpResponse | None:
    """Return the list as the asked export format, fetching at most the cap; None for a page.

    fetch(limit) returns the list's papers in its order, from the first, at most limit of them.
    """
    fmt = export_format(request)
    if fmt is None:
        return None
    return list_export(request, fmt, fetch(settings.EXPORT_MAX_PAPERS), title, filename)
