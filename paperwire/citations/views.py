"""One paper's citations and Markdown: /papers/<id>.bib, .ris, .csl.json and .md."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id

from .exports import PAPER_EXTENSIONS, paper_export


def paper_file(request: HttpRequest, arxiv_id: str, ext: str) -> HttpResponse:
    """Return one paper as BibTeX, RIS, CSL-JSON or Markdown, by the file name's ending."""
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise Http404("No such paper") from None
    if parsed.id != arxiv_id:
        return redirect(reverse("paper-file", args=[parsed.id, ext]))
    paper = queries.paper(parsed.id)
    if paper is None:
        raise Http404("No such paper")
    return paper_export(request, paper, PAPER_EXTENSIONS[ext])
