"""The member's own buttons on cards and paper pages, written in Python like the vote button.

Each is a form that htmx posts in place and that works as a plain POST without JavaScript.
"""

from __future__ import annotations

from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from paperwire.papers.models import Paper


def _form(paper: Paper, action: str, on: bool, csrf: str, next_url: str, size: str, target: str) -> str:
    url = f"{get_script_prefix()}papers/{paper.arxiv_id}/{action}"
    return (
        f'<form class="personal {action}{" on" if on else ""}" method="post" action="{url}" hx-post="{url}" '
        f'hx-target="{target}" hx-swap="outerHTML">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
        f'<input type="hidden" name="state" value="{"off" if on else "on"}">'
        f'<input type="hidden" name="size" value="{escape(size)}">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
    )


def save_button(paper: Paper, saved: bool, *, csrf_token: str, next_url: str, size: str = "") -> SafeString:
    """Return the save-to-library toggle of a paper."""
    title = "Remove from your library" if saved else "Save to your library"
    html = (
        _form(paper, "save", saved, csrf_token, next_url, size, "this")
        + f'<button type="submit" class="btn small" aria-pressed="{"true" if saved else "false"}" '
        f'title="{title}"><span aria-hidden="true">{"★" if saved else "☆"}</span> '
        f"{'Saved' if saved else 'Save'}</button></form>"
    )
    return mark_safe(html)  # noqa: S308  (every value above is escaped or fixed text)


def not_interested_button(
    paper: Paper, marked: bool, *, csrf_token: str, next_url: str, size: str = ""
) -> SafeString:
    """Return the "not interested" toggle: on a card it collapses the card, on a page it toggles in place."""
    target = "this" if size == "wide" else "closest .card"
    title = "Show this paper to me again" if marked else "Hide this paper and show me fewer like it"
    html = (
        _form(paper, "not-interested", marked, csrf_token, next_url, size, target)
        + f'<button type="submit" class="btn small" aria-pressed="{"true" if marked else "false"}" '
        f'title="{title}">Not interested</button></form>'
    )
    return mark_safe(html)  # noqa: S308  (every value above is escaped or fixed text)


def collapsed_card(paper: Paper, *, csrf_token: str, next_url: str) -> SafeString:
    """Return the stub a card collapses to after "not interested", with its undo."""
    url = f"{get_script_prefix()}papers/{paper.arxiv_id}/not-interested"
    html = (
        f'<article class="card collapsed" id="paper-{slugify(paper.arxiv_id)}">'
        f'<p>Hidden: <span class="title">{escape(paper.title)}</span>. You will see fewer papers like it.</p>'
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="closest .card" hx-swap="outerHTML">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        '<input type="hidden" name="state" value="off"><input type="hidden" name="card" value="1">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        '<button type="submit" class="btn small">Undo</button></form></article>'
    )
    return mark_safe(html)  # noqa: S308  (every value above is escaped or fixed text)
