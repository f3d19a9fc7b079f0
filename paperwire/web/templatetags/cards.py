"""Template tag that puts a paper card on list pages (feeds, search, for-you, author pages)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString

from paperwire.community.templatetags.community import vote_button
from paperwire.personal.templatetags.personal import personal_buttons

from .. import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def paper_card(
    context: template.Context,
    paper: Any,
    snippet: str = "",
    why: Sequence[str] = (),
    seen: bool = False,
    muted: bool = False,
    terms: Iterable[str] = (),
    coins: bool = False,
) -> SafeString:
    """Render a paper's card: {% paper_card paper snippet=… why=… seen=… muted=… terms=… coins=True %}."""
    return cards.card(
        paper,
        vote=vote_button(context, paper),
        buttons=personal_buttons(context, paper),
        snippet=snippet or "",
        why=why or (),
        seen=bool(seen),
        muted=bool(muted),
        terms=frozenset(terms or ()),
        with_coins=bool(coins),
    )
