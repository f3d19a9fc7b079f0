"""The one rate limiter: exact under parallel requests, keyed on the real client behind proxies,
and in front of the admin log-in and the search."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from paperwire.community.models import Vote
from paperwire.ratelimits.limits import RateLimited, client_ip, consume
from tests.community_data import PASSWORD, make_member, make_paper
from tests.test_community_concurrency import session_for, vote_all_at_once

pytest_plugins = ["tests.community_fixtures"]

PARALLEL = 60


def test_sixty_parallel_votes_by_one_member_are_limited_exactly(
    transactional_db: None, clear_cache: None, live_server: Any, settings: Any
) -> None:
    # Tried: one member, vote limit 5, 60 votes released at once. DatabaseCache.incr read and
    # then wrote the count, so two requests could both read 4: 7 got through in one probe run.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "5/d"}
    paper = make_paper()
    session = session_for(make_member("eager", password=False))
    url = f"{live_server.url}/papers/{paper.arxiv_id}/vote"
    statuses = vote_all_at_once(url, [session] * PARALLEL, {"state": "on"})
    assert sorted(statuses) == [200] * 5 + [429] * (PARALLEL - 5)
    assert Vote.objects.filter(paper=paper).count() == 1


def test_the_limit_counts_each_client_apart(db: None, clear_cache: None, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "2/d"}
    consume("vote", "user:1")
    consume("vote", "user:1")
    with pytest.raises(RateLimited, match="Too many votes: the limit is 2 per day"):
        consume("vote", "user:1")
    consume("vote", "user:2")  # another member is not held back


def request_from(rf: Any, remote: str, forwarded: str = "") -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return rf.get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    # Tried: a client that forges X-Forwarded-For to get a fresh bucket on every request.
    assert client_ip(request_from(rf, "203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_trusted_proxies_the_client_is_the_address_the_outermost_one_saw(
    rf: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our one proxy appended the address it really saw.
    assert client_ip(request_from(rf, "10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(rf, "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


def test_behind_a_proxy_one_clients_wrong_passwords_do_not_lock_out_another(
    db: None, clear_cache: None, settings: Any
) -> None:
    # Tried (the probe): 12 wrong logins for one account from behind the proxy, then another
    # member's correct login through the same proxy; it used to be refused (one shared bucket).
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_member("ada")
    make_member("bob")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client()
    for _ in range(12):
        attacker.post(
            "/accounts/login/",
            {"login": "ada@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **proxy,
        )
    bob = Client().post(
        "/accounts/login/",
        {"login": "bob@example.org", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        **proxy,
    )
    assert bob.status_code == 302, "another member's correct login was refused"


def test_the_admin_log_in_goes_through_the_rate_limited_member_log_in(db: None, clear_cache: None) -> None:
    # Tried (the probe): 40 wrong passwords for "admin" at /admin/login/, all answered 200.
    client = Client()
    first = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    assert first.status_code == 302 and first["Location"].startswith("/accounts/login/")
    statuses = [
        client.post("/accounts/login/", {"login": "admin@example.org", "password": "wrong"}).status_code
        for _ in range(40)
    ]
    assert 429 in statuses, "forty wrong passwords were never refused"
    assert client.get("/admin/login/").status_code == 302  # Django's own form is not reachable


def test_a_staff_member_signed_in_through_allauth_reaches_the_admin(db: None, clear_cache: None) -> None:
    staff = make_member("boss")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    done = client.post("/accounts/login/", {"login": "boss@example.org", "password": PASSWORD})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_searches_are_limited_per_address_and_embedding_ones_fall_back_to_keywords(
    db: None, clear_cache: None, settings: Any
) -> None:
    # Tried (the probe): anonymous hybrid searches in a burst, each one embedding its query.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "4/d", "search_embed": "1/d"}
    make_paper("2606.00001", title="Sparse attention for long documents")
    client = Client(REMOTE_ADDR="198.51.100.5")
    first = client.get("/api/v1/search", {"q": "sparse attention"})
    assert first.status_code == 200 and first.json()["mode"] == "hybrid"
    second = client.get("/api/v1/search", {"q": "sparse attention"})
    assert second.status_code == 200 and second.json()["mode"] == "keyword"  # no embedding left
    assert client.get("/api/v1/search", {"q": "sparse", "mode": "vector"}).status_code == 429
    assert client.get("/search", {"q": "sparse", "mode": "keyword"}).status_code == 200
    limited = client.get("/search", {"q": "sparse"})
    assert limited.status_code == 429 and "Too many searches" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    api = client.get("/api/papers/search", {"q": "sparse"})
    assert api.status_code == 429 and "Too many searches" in api.json()["error"]
    other = Client(REMOTE_ADDR="198.51.100.6").get("/search", {"q": "sparse"})
    assert other.status_code == 200  # another address is not held back
