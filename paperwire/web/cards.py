"""The paper card of every list page, written in Python rather than a template included per card.

Through the template engine (an include per card, a dozen filters, a URL reversal, a date
format) a card cost ~0.5 ms, half the CPU time of a search page. The part of a card that is the
same for every viewer and query (title, authors, category, date, id, COinS) is kept in a
least-recently-used cache keyed on those values themselves, so a changed title is a new key and
never shows stale (render_math keeps the abstracts' HTML the same way); counts (votes,
comments), the member's state and the query's snippet are filled in on every render. Every
value is escaped here or by render_math.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from paperwire.citations.templatetags.citations import coins_title
from paperwire.papers.latex import render_math
from paperwire.papers.models import Paper
from paperwire.papers.templatetags.paperwire import AUTHORS_SHOWN, folded
from paperwire.personal.templatetags.personal import AUTHOR_SAFE
from paperwire.search.highlight import highlight_html

# Papers whose fixed part is kept per worker: a few days of feeds and the searches' top hits;
# ~3 KB each (the abstract's HTML is most of it), so ~12 MB at most.
CACHED_CARDS = 4096
COMMENT_ICON = (
    '<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 3.5A1.5 1.5 0 0 1 3.5 2h9A1.5 '
    '1.5 0 0 1 14 3.5v6a1.5 1.5 0 0 1-1.5 1.5H7l-3 3v-3h-.5A1.5 1.5 0 0 1 2 9.5z" fill="none" '
    'stroke="currentColor" stroke-width="1.4"/></svg>'
)


@lru_cache(maxsize=CACHED_CARDS)
def _fixed(
    prefix: str,
    arxiv_id: str,
    title: str,
    authors: tuple[str, ...],
    category: str,
    day: Any,
    published: Any,
) -> tuple[str, str, str, str]:
    """Return a card's viewer-independent HTML: head, slug, meta start and COinS span."""
    slug = escape(slugify(arxiv_id))
    url = f"{prefix}papers/{escape(arxiv_id)}"  # the route of 'paper' (papers.urls): no reverse()
    people = escape(f"{prefix}authors/")
    names = ", ".join(
        f'<a class="author" href="{people}{escape(quote(n, safe=AUTHOR_SAFE))}">{escape(n)}</a>'
        for n in authors[:AUTHORS_SHOWN]
    )
    more = len(authors) - AUTHORS_SHOWN
    if more > 0:
        names += f' <span class="more">and {more} more · {len(authors)} authors</span>'
    head = (
        f'<h3 class="title"><a href="{url}">{render_math(title or "")}</a></h3>\n'
        f'    <p class="authors">\n      {names}\n    </p>\n'
    )
    iso, shown = (date_format(day, "Y-m-d"), date_format(day, "j M Y")) if day else ("", "")
    when = f'<time datetime="{iso}">{shown}</time>'
    meta = (
        f'<span class="cat">{escape(category)}</span>\n      {when}\n'
        f'      <span class="id">arXiv:{escape(arxiv_id)}</span>\n'
        f'      <a class="comments" href="{url}#comments" title="comments">{COMMENT_ICON} '
    )
    # COinS reads only the values in this function's key (citations.formats.cited).
    cited = Paper(arxiv_id=arxiv_id, title=title, authors=list(authors), published=published, listing_day=day)
    coins = f'<span class="Z3988" title="{escape(coins_title(cited))}"></span>'
    return head, slug, meta, coins


def card(
    paper: Any,
    *,
    vote: str,
    buttons: str,
    snippet: str = "",
    why: Sequence[str] = (),
    seen: bool = False,
    muted: bool = False,
    terms: frozenset[str] = frozenset(),
    with_coins: bool = False,
) -> SafeString:
    """Return a paper's card around its vote button and the member's buttons (both already HTML).

    terms: the searched words, marked in the card; with_coins: the COinS span follows the card.
    """
    head, slug, meta, coins = _fixed(
        get_script_prefix(),
        paper.arxiv_id,
        paper.title,
        tuple(paper.authors or ()),
        paper.primary_category,
        paper.listing_day,
        paper.published,
    )
    # A search card shows its snippet instead: the abstract is rendered (render_math keeps it)
    # only when shown, as rendering a cold one costs ~0.35 ms, half a cold card.
    abstract = str(folded(snippet or paper.abstract))
    if terms:  # only what search reads is marked: not the buttons' words, the date or the counts
        words = set(terms)  # head and abstract were built escaped above
        head, abstract = highlight_html(SafeString(head), words), highlight_html(SafeString(abstract), words)
    n = paper.num_comments
    plural = "" if n == 1 else "s"
    tail = ""
    if paper.withdrawn:
        tail += '<span class="badge warn">withdrawn</span>'
    if paper.submitted_by:
        tail += f'<span class="submitted">submitted by {escape(paper.submitted_by)}</span>'
    if seen:
        tail += '<span class="badge seen">seen</span>'
    if muted:
        tail += '<span class="badge warn">muted</span>'
    reasons = ""
    if why:
        items = "".join(f"<li>{escape(line)}</li>" for line in why)
        reasons = f'<ul class="why" aria-label="Why this is recommended">{items}</ul>'
    html = (
        f'<article class="card" id="paper-{slug}">\n  {vote}\n  <div class="card-body">\n    {head}'
        f'    <div class="abstract-box">\n      <p class="abstract" id="abstract-{slug}">{abstract}</p>\n'
        f'      <button type="button" class="expand linkish" aria-expanded="false" '
        f'aria-controls="abstract-{slug}" hidden>Show more<span class="sr-only"> of the abstract</span>'
        f"</button>\n    </div>\n"
        f'    <p class="meta">\n      {meta}{n}<span class="sr-only"> comment{plural}</span></a>\n'
        f"      {tail}\n    </p>\n    {reasons}\n    {buttons}\n  </div>\n</article>\n"
    )
    safe = mark_safe(html)  # noqa: S308  (every value above is escaped, a number or render_math's output)
    return mark_safe(f"{safe}{coins}") if with_coins else safe  # noqa: S308  (both safe)
