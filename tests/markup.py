"""What a browser would run or load from a page: the check behind every XSS test."""

from __future__ import annotations

from html.parser import HTMLParser

LOADING_TAGS = ("iframe", "img", "object", "embed", "style", "link", "meta")  # <svg>: our icons


class LiveParts(HTMLParser):
    """Collect scripts, frames, images, event handlers and javascript:/data: links in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.in_body = True
        if self.in_body and tag in LOADING_TAGS:
            self.live.append(f"<{tag}>")
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.live.append("<script> that is not one of our static files")
        for name, value in values.items():
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.live.append(f"<{tag} {name}={value}>")


def assert_inert(html: str) -> None:
    """Fail when the page would run or load anything that came from user or paper text."""
    parser = LiveParts()
    parser.feed(html)
    assert parser.live == [], parser.live
