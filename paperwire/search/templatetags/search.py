"""Template tags for search pages: highlight the searched words in rendered cards."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe

from paperwire.search.highlight import highlight_html

register = template.Library()


class HighlightNode(template.Node):
    def __init__(self, nodelist: template.NodeList, terms: template.base.FilterExpression) -> None:
        self.nodelist, self.terms = nodelist, terms

    def render(self, context: Any) -> SafeString:
        # The nodelist renders with autoescaping on, so its output is already safe HTML.
        html = mark_safe(self.nodelist.render(context))  # noqa: S308
        return highlight_html(html, set(self.terms.resolve(context) or ()))


@register.tag
def highlight(parser: Parser, token: Token) -> HighlightNode:
    """{% highlight terms %}…{% endhighlight %}: mark the searched words in the rendered block."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% highlight terms %}…{% endhighlight %}")
    nodelist = parser.parse(("endhighlight",))
    parser.delete_first_token()
    return HighlightNode(nodelist, parser.compile_filter(bits[1]))
