"""Render the LaTeX math in arXiv titles and abstracts as MathML, and everything else as text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import convert

# $$…$$, \[…\], $…$ and \(…\); a backslash-escaped \$ is a literal dollar.
MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|(?<![\\$])\$(?P<i1>[^$]+?)(?<!\\)\$|\\\((?P<i2>.+?)\\\)",
    re.DOTALL,
)
MAX_MATH = 2000  # longer "formulas" are almost surely a stray $; shown as text

# Text-mode TeX outside the math: accents (\'e, {\"o}, \c{c}) become the accented letter,
# escaped specials (96\%, R\&D) the character, TeX quotes and dashes their typographic forms.
# "~" is left alone: it is as often part of a URL as a tie.
ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    '"': "\u0308",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
}
ACCENT = re.compile(
    r"(?P<open>\{)?\\(?:(?P<sym>['`\"^~=.])\s*|(?P<word>[uvHck])(?:\s+|(?=\{)))"
    r"(?:\{(?P<l1>\\?[A-Za-z])\}|(?P<l2>[A-Za-z]))(?(open)\})"  # {\"o} only with its brace
)
TEXT_ESCAPES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\\([%&#_{}$])"), r"\1"),
    (re.compile(r"\\[ij](?![A-Za-z])"), lambda m: m.group(0)[1]),  # dotless i/j under accents
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"(?<=\S)--(?=[^\s>-])|(?<=\s)--(?=\s)"), "\u2013"),  # 1--10, a -- b; not --flag
    (re.compile(r"``"), "\u201c"),
    (re.compile(r"''"), "\u201d"),
]

MATHML_TAGS = {
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "menclose",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "semantics",
    "annotation",
}
MATHML_ATTRS = {
    "*": {
        "mathvariant",
        "display",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "form",
        "columnalign",
        "rowspacing",
        "columnspacing",
        "width",
        "height",
        "depth",
        "notation",
        "displaystyle",
        "scriptlevel",
        "minsize",
        "maxsize",
        "movablelimits",
    },
}


def _math(tex: str, display: bool) -> str:
    """Return sanitised MathML for one formula, or the escaped source if it will not convert."""
    source = f"${tex}$"
    if len(tex) > MAX_MATH:
        return escape(source)
    try:
        mathml = convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds on bad input; all mean "show as text"
        return escape(source)
    # Whatever the converter emits passes an allow-list of MathML tags: no way to a script.
    clean = nh3.clean(mathml, tags=MATHML_TAGS, attributes=MATHML_ATTRS, link_rel=None)
    return f'<span class="math" title="{escape(tex.strip())}">{clean}</span>'


def _accent(m: re.Match[str]) -> str:
    letter = (m.group("l1") or m.group("l2")).lstrip("\\")
    mark = ACCENTS[m.group("sym") or m.group("word")]
    return unicodedata.normalize("NFC", letter + mark)


def tex_text(text: str) -> str:
    """Return text-mode TeX as plain Unicode: accents, escaped specials, quotes and dashes."""
    if "\\" in text:
        text = ACCENT.sub(_accent, text)
    for pattern, repl in TEXT_ESCAPES:
        text = pattern.sub(repl, text)
    return text


def _pieces(text: str) -> Iterator[tuple[str, re.Match[str] | None]]:
    """Yield (text-mode stretch, the formula after it or None at the end) along text."""
    pos = 0
    for m in MATH.finditer(text):
        yield text[pos : m.start()], m
        pos = m.end()
    yield text[pos:], None


def plain_tex(text: str) -> str:
    """Return text for plain-text readers: text-mode TeX as Unicode, math left as its source."""
    return "".join(tex_text(words) + (m.group(0) if m else "") for words, m in _pieces(text))


@lru_cache(maxsize=8192)
def render_math(text: str) -> SafeString:
    """Return text as HTML: math rendered as MathML, every other character escaped."""
    if not text:
        return SafeString("")
    out: list[str] = []
    for words, m in _pieces(text):
        out.append(escape(tex_text(words)))
        if m:
            display = m.group("d1") is not None or m.group("d2") is not None
            tex = m.group("d1") or m.group("d2") or m.group("i1") or m.group("i2") or ""
            out.append(_math(tex, display))
    return mark_safe("".join(out))  # noqa: S308  # every piece above is escaped or sanitised MathML
