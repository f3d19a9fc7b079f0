"""A property-based pass over every GET operation in /api/openapi.json: no input gives a 500.

Hypothesis draws each parameter from its schema (valid numbers, dates and words) mixed with
hostile values the probe used: superscript digits, 30-digit numbers, year 9999 periods, NUL
bytes, control characters, lone percent signs and very long strings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.community_data import make_paper

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "²",
    "٣",
    "-1",
    "0",
    "9" * 30,
    "1e9",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "9999-W52",
    "9999-W53",
    "0000-W00",
    "9999-12",
    "2026-13",
    "2026-02-30",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202e",
    "%",
    "%00",
    "' OR 1=1 --",
    "<script>",
    "cs.*",
    "title:",
    '"',
    "x" * 5000,
]
WORDS = ["publishedAt", "trending", "hybrid", "keyword", "vector", "relevance", "newest", "cs.LG", "arxiv"]
SHAPES = [r"\d{4}-\d{2}-\d{2}", r"\d{4}-W\d{2}", r"\d{4}-\d{2}", r"\d{1,30}", r"\d{4}\.\d{4,5}(v\d{1,3})?"]
# Every character but surrogates, which no URL can carry (the test client refuses to encode them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


def value_for(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Return a strategy of string values for a parameter with this JSON schema."""
    kinds = {s.get("type") for s in schema.get("anyOf", [schema])}
    formats = {s.get("format") for s in schema.get("anyOf", [schema])}
    valid: list[st.SearchStrategy[str]] = []
    if "integer" in kinds:
        lo, hi = schema.get("minimum", -(10**6)), schema.get("maximum", 10**6)
        valid.append(st.integers(lo, hi).map(str))
        valid.append(st.integers().map(str))
    if "date" in formats:
        valid.append(st.dates().map(lambda d: d.isoformat()))
    valid.append(st.sampled_from(WORDS))
    valid.extend(st.from_regex(shape, fullmatch=True) for shape in SHAPES)
    return st.one_of(*valid, st.sampled_from(HOSTILE), TEXT)


def operations() -> list[tuple[str, list[dict[str, Any]]]]:
    """Return (path, parameters) for every GET operation of the API's own OpenAPI document."""
    document = Client().get("/api/openapi.json").json()
    return [
        (path, op.get("parameters", []))
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if method == "get"
    ]


@pytest.fixture
def api(db: None, settings: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    make_paper("2606.00001", title="Sparse attention for long documents")
    make_paper("2606.00002", title="Graph neural networks at scale", categories=["cs.CV"])
    # The fuzz pass sends hundreds of searches from one address; it tests input, not the limits.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "100000/m", "search_embed": "100000/m"}
    found = operations()
    assert {p for p, _ in found} >= {"/api/daily_papers", "/api/v1/search", "/api/papers/{arxiv_id}"}
    return found


def request_for(data: st.DataObject, path: str, params: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """Draw a URL and query for one operation."""
    query: dict[str, str] = {}
    for param in params:
        value = data.draw(value_for(param.get("schema", {})), label=param["name"])
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", quote(value or "x", safe=""))
        elif data.draw(st.booleans(), label=f"send {param['name']}"):
            query[param["name"]] = value
    return re.sub(r"\{[^}]+\}", "x", path), query


def test_every_hostile_value_in_every_parameter_gives_no_server_error(
    api: list[tuple[str, list[dict[str, Any]]]],
) -> None:
    client = Client(raise_request_exception=False)
    for path, params in api:
        for param in params:
            for value in HOSTILE:
                if param["in"] == "path":
                    url, query = path.replace("{" + param["name"] + "}", quote(value or "x", safe="")), {}
                else:
                    url, query = path, {param["name"]: value}
                response = client.get(url, query)
                assert response.status_code < 500, f"tried {url} with {query!r}: {response.content[:300]!r}"
                assert response["Content-Type"].startswith("application/json"), f"tried {url} {query!r}"


@settings(
    max_examples=400,  # with the sweep above, under a minute on a loaded 2-core machine
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same inputs on every run: a failure here is a real, repeatable one
)
@given(data=st.data())
def test_no_api_input_gives_a_server_error(api: list[tuple[str, list[dict[str, Any]]]], data: Any) -> None:
    path, params = data.draw(st.sampled_from(api), label="operation")
    url, query = request_for(data, path, params)
    response = Client(raise_request_exception=False).get(url, query)
    assert response.status_code < 500, f"tried {url} with {query!r}: {response.content[:300]!r}"
    assert response["Content-Type"].startswith("application/json"), f"tried {url} with {query!r}"
