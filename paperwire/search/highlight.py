"""Mark the searched words in already-rendered, already-escaped HTML.

Only text between tags is touched, never a tag, an attribute, an entity or MathML, and the
only markup added is <mark>…</mark> around whole words, so the result is as safe as the input.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe

from . import keyword

TAG = re.compile(r"(<[^>]*>)")
ENTITY_OR_WORD = re.compile(r"(&#?\w+;)|(\w+)")
SKIP = {"math", "script", "style", "label", "textarea", "time"}  # never marked inside these


def highlight_html(html: SafeString, terms: set[str]) -> SafeString:
    """Return html with every word whose analysed form is in terms wrapped in <mark>."""
    if not terms:
        return html
    analyze = keyword.text_analyzer().analyze
    out: list[str] = []
    skipping: list[str] = []
    for part in TAG.split(str(html)):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if tag in SKIP and not part.endswith("/>"):
                if part.startswith("</"):
                    if skipping and skipping[-1] == tag:
                        skipping.pop()
                else:
                    skipping.append(tag)
            out.append(part)
            continue
        if skipping or not part:
            out.append(part)
            continue

        def mark(m: re.Match[str]) -> str:
            word = m.group(2)
            if word is None:
                return m.group(0)  # an entity such as &amp; stays whole
            tokens = analyze(word)
            return f"<mark>{word}</mark>" if tokens and tokens[0] in terms else word

        out.append(ENTITY_OR_WORD.sub(mark, part))
    return mark_safe("".join(out))  # noqa: S308  # input was safe HTML; only <mark> tags were added
