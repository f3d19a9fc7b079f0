"""50 members vote on one paper at once, over real HTTP against the live server."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from paperwire.community.models import Vote
from paperwire.papers.models import Paper
from tests.community_data import make_member, make_paper

MEMBERS = 50
CSRF = "c" * 32  # an unmasked CSRF secret, sent as cookie and header alike

pytest_plugins = ["tests.community_fixtures"]


def session_for(user: Any) -> str:
    """Return a session key that logs the user in."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def vote_all_at_once(url: str, sessions: list[str], data: dict[str, str]) -> list[int]:
    """POST data to url once per session, all threads released together; return the statuses."""
    barrier = threading.Barrier(len(sessions))
    statuses: list[int] = [0] * len(sessions)

    def one(i: int, key: str) -> None:
        cookies = {settings.SESSION_COOKIE_NAME: key, settings.CSRF_COOKIE_NAME: CSRF}
        with httpx.Client(cookies=cookies, timeout=60) as client:
            barrier.wait()
            response = client.post(url, data=data, headers={"X-CSRFToken": CSRF, "HX-Request": "true"})
            statuses[i] = response.status_code

    threads = [threading.Thread(target=one, args=(i, key)) for i, key in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.usefixtures("clear_cache")
def test_fifty_members_voting_at_once_count_exactly(transactional_db: None, live_server: Any) -> None:
    paper = make_paper()
    sessions = [session_for(make_member(f"member{i:02d}", password=False)) for i in range(MEMBERS)]
    url = f"{live_server.url}/papers/{paper.arxiv_id}/vote"

    assert vote_all_at_once(url, sessions, {"state": "on"}) == [200] * MEMBERS
    assert Paper.objects.get(pk=paper.pk).upvotes == MEMBERS
    assert Vote.objects.filter(paper=paper).count() == MEMBERS

    assert vote_all_at_once(url, sessions, {}) == [200] * MEMBERS  # each member toggles back
    assert Paper.objects.get(pk=paper.pk).upvotes == 0
    assert not Vote.objects.filter(paper=paper).exists()
