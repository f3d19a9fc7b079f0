"""Parse untrusted XML pages safely (defusedxml) and turn every way they go wrong into a message."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405  # types only; parsing goes through defusedxml

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .client import IngestError, Page

HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class PageError(IngestError):
    """A page that cannot be read at all: nothing from it is written."""


def looks_like_html(page: Page) -> bool:
    """Return whether a page is an HTML document (an error or maintenance page)."""
    return "text/html" in page.content_type.lower() or bool(HTML_START.match(page.body[:4096]))


def html_title(body: bytes) -> str:
    """Return an HTML page's <title>, squashed to one line, or ''."""
    m = HTML_TITLE.search(body[:65536])
    return " ".join(m.group(1).decode("utf-8", "replace").split())[:120] if m else ""


def check_body(page: Page, expected: str) -> str:
    """Raise PageError for an empty body or an HTML page where `expected` was due; return where
    the page came from, for the caller's own messages."""
    where = f"HTTP {page.status} from {page.url}"
    if not page.body.strip():
        raise PageError(f"expected {expected} but got an empty body ({where})")
    if looks_like_html(page):
        title = html_title(page.body)
        raise PageError(
            f"expected {expected} but got an HTML page"
            + (f" titled {title!r}" if title else "")
            + f" ({where})"
        )
    return where


def parse_xml(page: Page, expected: str) -> ET.Element:
    """Return the root element of an XML page; raise PageError saying what was wrong with it."""
    where = check_body(page, expected)
    try:
        return SafeET.fromstring(page.body, forbid_dtd=True)
    except DefusedXmlException as e:
        raise PageError(
            f"refused {expected} with a DTD or entity declarations ({type(e).__name__}; {where})"
        ) from None
    except ET.ParseError as e:
        raise PageError(f"malformed or truncated XML where {expected} was expected: {e} ({where})") from None
