"""Every message paperwire sends: a subject, a plain-text and an HTML part from three templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template

SUBJECT_MAX = 200  # characters; a subject is one line, never a place for a paper's whole title list


def render_message(
    template: str, context: dict[str, Any], *, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Return the message rendered from template + "_subject.txt", ".txt" and ".html"."""
    # Whitespace (line breaks included) folded: nothing rendered can start a new header line.
    subject = " ".join(get_template(f"{template}_subject.txt").render(context).split())[:SUBJECT_MAX]
    text = get_template(f"{template}.txt").render(context)
    html = get_template(f"{template}.html").render(context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
