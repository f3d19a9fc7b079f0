"""Comments' Markdown rendered to safe HTML: markdown-it-py with raw HTML off, then nh3."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# CommonMark with raw HTML disabled: <script> in a comment is text, not markup.
_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["strikethrough", "table"])

# What a comment may contain. No images (they load from anywhere and track readers), no
# headings above h4 (a comment is not the page), no classes, styles or event attributes.
TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> str:
    """Return the sanitised HTML of a comment's Markdown."""
    html = _md.render(text)
    # Headings in comments shrink to h4-h6 so they do not outrank the page's own.
    for level in range(1, 4):
        html = html.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="nofollow noopener ugc"
    )
