"""Fixtures for the personal tests: the first demo papers with their vectors, and members."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.community_data import make_member

SLICE = 800  # the first 800 demo papers: four listing days (11, 12, 15 and 16 June 2026)
LATER = dt.date(2026, 6, 16)


@pytest.fixture
def papers(db: None, tmp_path: Path) -> int:
    """Import the first demo papers with their shipped vectors and build the search indexes."""
    from paperwire.papers.models import Paper
    from tests.search_fixtures import import_slice

    folder = tmp_path / "slice"
    folder.mkdir()
    import_slice(folder, SLICE)
    return Paper.objects.count()


@pytest.fixture
def member(db: None) -> Any:
    return make_member("reader", password=False)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
