"""Every message paperwire sends: a subject, a plain-text and an HTML part from three templates."""

from __future__ import annotations

from dataclasses import dataclass
from email.header import Header
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template

SUBJECT_MAX = 200  # characters; a subject is one line, never a place for a paper's whole title list


@dataclass(frozen=True)
class Parts:
    """A rendered message before it is addressed: subject, plain text, HTML."""

    subject: str
    text: str
    html: str


def render_parts(template: str, context: dict[str, Any]) -> Parts:
    """Render template + "_subject.txt", ".txt" and ".html" with context."""
    # Whitespace (line breaks included) folded: nothing rendered can start a new header line.
    subject = " ".join(get_template(f"{template}_subject.txt").render(context).split())[:SUBJECT_MAX]
    text = get_template(f"{template}.txt").render(context)
    html = get_template(f"{template}.html").render(context)
    return Parts(subject, text, html)


def ascii_header(value: str) -> str:
    """Return value as RFC 2047 encoded words when it is not plain ASCII, on one line."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep=" ")


def compose(parts: Parts, *, to: str, headers: dict[str, str] | None = None) -> EmailMultiAlternatives:
    """Return a two-part message (plain text, then the HTML alternative) to one address."""
    message = EmailMultiAlternatives(
        parts.subject, parts.text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    message.attach_alternative(parts.html, "text/html")
    return message


def render_message(
    template: str, context: dict[str, Any], *, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Return the message rendered from template + "_subject.txt", ".txt" and ".html"."""
    return compose(render_parts(template, context), to=to, headers=headers)
