"""Anonymous readers' pages come from a cache that any committed change invalidates at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.community_data import PASSWORD, make_member, make_paper

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as in production


def upvotes(client: Client, url: str, arxiv_id: str) -> int:
    """Return the upvotes a JSON listing shows for one paper."""
    body = client.get(url, {"format": "json"} if "api/" not in url else {}).json()
    items = body["papers"] if isinstance(body, dict) else body
    for item in items:
        paper = item.get("paper", item)
        if (paper.get("id") or paper.get("arxiv_id")) == arxiv_id:
            return int(paper.get("upvotes", 0))
    raise AssertionError(f"{arxiv_id} is not listed at {url}")


def member_client(name: str) -> Client:
    member = make_member(name)
    client = Client()
    assert client.login(username=member.username, password=PASSWORD)
    return client


def test_an_anonymous_view_is_served_from_the_cache_the_second_time() -> None:
    make_paper("2606.00001")
    reader = Client()
    first = reader.get("/")
    second = reader.get("/")
    assert first.status_code == second.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert b"2606.00001" in second.content


def test_a_vote_shows_on_the_next_anonymous_view() -> None:
    make_paper("2606.00001")
    reader = Client()
    for url in ("/", "/api/daily_papers"):
        assert upvotes(reader, url, "2606.00001") == 0
        assert upvotes(reader, url, "2606.00001") == 0  # now cached
    voter = member_client("ada")
    assert voter.post("/papers/2606.00001/vote", {"state": "on"}).status_code == 302
    assert upvotes(reader, "/", "2606.00001") == 1
    assert upvotes(reader, "/api/daily_papers", "2606.00001") == 1


def test_a_comment_a_new_paper_and_hiding_a_paper_show_on_the_next_anonymous_view() -> None:
    from paperwire.community import comments, moderation
    from paperwire.papers.models import Paper

    paper = make_paper("2606.00001")
    reader = Client()

    def listed() -> dict[str, Any]:
        return {p["paper"]["id"]: p for p in reader.get("/api/daily_papers").json()}

    assert listed()["2606.00001"]["numComments"] == 0
    comments.create(make_member("bea"), paper, "A fine result.")
    assert listed()["2606.00001"]["numComments"] == 1
    make_paper("2606.00002")
    assert set(listed()) == {"2606.00001", "2606.00002"}
    moderation.set_papers_hidden([Paper.objects.get(arxiv_id="2606.00002").pk], True)
    assert set(listed()) == {"2606.00001"}


def test_a_write_in_a_transaction_that_rolls_back_keeps_the_cached_page() -> None:
    from django.db import transaction

    from paperwire.papers.models import Paper

    make_paper("2606.00001")
    reader = Client()
    reader.get("/")
    with pytest.raises(RuntimeError), transaction.atomic():
        Paper.objects.filter(arxiv_id="2606.00001").update(title="Never committed")
        raise RuntimeError("roll back")
    again = reader.get("/")
    assert b"Never committed" not in again.content
    assert b"A paper 2606.00001" in again.content


@pytest.mark.parametrize(
    "url", ["/", "/papers/month/2026-06", "/feeds/daily.rss", "/api/daily_papers", "/api/papers"]
)
def test_a_conditional_get_with_the_etag_gets_304_until_something_changes(url: str) -> None:
    import datetime as dt

    make_paper("2606.00001", listing_day=dt.date(2026, 6, 1))
    reader = Client()
    first = reader.get(url)
    assert first.status_code == 200, url
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = reader.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    make_paper("2606.00002", listing_day=dt.date(2026, 6, 1))
    changed = reader.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"2606.00002" in changed.content


def test_a_conditional_get_with_the_last_modified_time_gets_304() -> None:
    make_paper("2606.00001")
    reader = Client()
    first = reader.get("/feeds/daily.atom")
    again = reader.get("/feeds/daily.atom", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304


def test_members_get_uncached_pages_with_their_own_votes() -> None:
    make_paper("2606.00001")
    reader = Client()
    reader.get("/")
    reader.get("/")
    member = member_client("cyd")
    member.post("/papers/2606.00001/vote", {"state": "on"})
    page = member.get("/")
    assert "X-Page-Cache" not in page
    assert "ETag" not in page
    assert b"cyd" in page.content  # the member's own name in the header: never cached for others
    assert b"cyd" not in reader.get("/").content


def test_search_and_paper_pages_are_not_cached() -> None:
    make_paper("2606.00001")
    reader = Client()
    # The search feed, like search, reads this node's index files, which no generation covers.
    for url in ("/papers/2606.00001", "/search?q=paper", "/feeds/search.rss?q=paper"):
        reader.get(url)
        assert "X-Page-Cache" not in reader.get(url), url


def test_each_anonymous_reader_gets_a_working_csrf_token_of_their_own_in_a_cached_page() -> None:
    make_paper("2606.00001")
    Client().get("/")  # fills the cache
    tokens = []
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        page = reader.get("/")
        assert page["X-Page-Cache"] == "hit"
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', page.content)
        assert token is not None
        tokens.append(token.group(1))
        assert b"pagecache-csrf" not in page.content
        login = reader.post(
            "/accounts/login/",
            {"login": "nobody", "password": "wrong", "csrfmiddlewaretoken": token.group(1).decode()},
        )
        assert login.status_code == 200  # the form's own error, not a 403 from the CSRF check
    assert tokens[0] != tokens[1]


def test_pages_of_another_sort_filter_or_format_are_cached_apart() -> None:
    from paperwire.papers.models import PaperCategory

    for arxiv_id, code in (("2606.00001", "cs.LG"), ("2606.00002", "math.AG")):
        paper = make_paper(arxiv_id, categories=[code], primary_category=code)
        PaperCategory.objects.create(paper=paper, code=code, primary=True)
    reader = Client()

    def ids(**query: str) -> list[str]:
        return [p["id"] for p in reader.get("/", {"format": "json", **query}).json()["papers"]]

    assert sorted(ids()) == ["2606.00001", "2606.00002"]
    assert ids(category="math.AG") == ["2606.00002"]
    assert ids(category="cs.LG") == ["2606.00001"]
    assert ids(sort="newest") == ["2606.00002", "2606.00001"]
    page = reader.get("/")
    assert page["Content-Type"].startswith("text/html")
    assert reader.get("/")["X-Page-Cache"] == "hit"
    assert reader.get("/", {"format": "json"})["Content-Type"].startswith("application/json")


def test_a_reader_who_chose_the_dark_theme_never_gets_a_light_page_from_the_cache() -> None:
    make_paper("2606.00002")
    light, dark = Client(), Client()
    dark.cookies["theme"] = "dark"
    assert light.get("/")["X-Page-Cache"] == "miss"
    answer = dark.get("/")  # the light reader's copy is in the cache: the dark reader must not get it
    assert answer["X-Page-Cache"] == "miss"
    assert re.search(rb'<html[^>]*data-theme="dark"', answer.content)
    assert not re.search(rb'<html[^>]*data-theme="dark"', light.get("/").content)


def test_a_private_feed_is_never_cached_nor_told_it_may_be() -> None:
    from paperwire.feeds.models import SavedSearch

    make_paper("2606.00003", title="Sparse attention for long documents")
    owner = make_member("dee")
    saved = SavedSearch.objects.create(user=owner, name="attention", query="attention")
    reader = Client()  # the feed's address is its only key: it is read without a session
    for _ in range(2):
        answer = reader.get(f"/feeds/saved/{saved.feed_token}.rss")
        assert answer.status_code == 200 and "X-Page-Cache" not in answer
        assert answer["Cache-Control"] == "private"


@pytest.mark.parametrize("url", ["/api/daily_papers?limit=1", "/api/papers?limit=1"])
def test_a_cached_list_keeps_its_link_to_the_next_page(url: str) -> None:
    make_paper("2606.00001")
    make_paper("2606.00002")
    reader = Client()
    first, second = reader.get(url), reader.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert 'rel="next"' in first["Link"]
    assert second["Link"] == first["Link"]
    assert second.json() == first.json()


def test_a_feed_reader_with_the_etag_or_the_modified_time_is_told_304_until_a_new_paper(
    live_server: Any,
) -> None:
    import feedparser

    make_paper("2606.00001")
    url = live_server.url + "/feeds/daily.atom"
    first = feedparser.parse(url)
    assert first.status == 200 and [e.title for e in first.entries] == ["A paper 2606.00001"]
    assert feedparser.parse(url, etag=first.etag).status == 304
    assert feedparser.parse(url, modified=first.modified).status == 304
    make_paper("2606.00002")
    later = feedparser.parse(url, etag=first.etag)
    assert later.status == 200
    assert {e.title for e in later.entries} == {"A paper 2606.00001", "A paper 2606.00002"}


def test_readers_who_ask_for_a_page_while_it_renders_wait_for_that_render() -> None:
    """After a change, a worker renders each page once, however many threads ask for it at once."""
    import threading
    import time

    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import RequestFactory

    from paperwire.pagecache.middleware import PageCacheMiddleware
    from paperwire.web.views import home

    make_paper("2606.00001")
    renders = []

    def slow_home(request: Any) -> Any:
        renders.append(threading.get_ident())
        time.sleep(0.3)  # a render at size, long enough for every reader below to arrive meanwhile
        return home(request)

    cached = PageCacheMiddleware(slow_home)
    answers: list[Any] = []

    def read() -> None:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        try:
            answers.append(cached(request))
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(30)
    assert len(answers) == 6
    assert len(renders) == 1
    assert sorted(a["X-Page-Cache"] for a in answers) == ["hit"] * 5 + ["miss"]
    assert all(b"2606.00001" in a.content for a in answers)


def test_a_cached_export_of_a_list_keeps_its_file_name() -> None:
    make_paper("2606.00001")
    reader = Client()
    first, second = reader.get("/", {"format": "bibtex"}), reader.get("/", {"format": "bibtex"})
    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert 'filename="' in second["Content-Disposition"]
    assert second.content == first.content
