"""Community security: CSRF, no state change on GET, inert XSS, ownership, refusals, bad input, limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client

from paperwire.community import comments, votes
from paperwire.community.models import Comment, Member, Report, Submission, Vote
from paperwire.papers.models import Paper
from tests.community_data import PASSWORD, make_member, make_paper
from tests.markup import assert_inert

pytest_plugins = ["tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<iframe src=//evil.example></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<details open ontoggle=alert(1)>",
]
HOSTILE = "\n\n".join(XSS)


def logged_in(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def scene() -> dict[str, Any]:
    """A paper with a comment by ada, and bob, another member."""
    paper = make_paper()
    ada, bob = make_member("ada"), make_member("bob")
    comment = comments.create(ada, paper, "ada's own words")
    return {"paper": paper, "ada": ada, "bob": bob, "comment": comment}


# --- CSRF and safe methods ------------------------------------------------------------------------


def test_every_state_changing_request_needs_the_csrf_token(scene: dict[str, Any]) -> None:
    paper, comment = scene["paper"], scene["comment"]
    ada = logged_in(scene["ada"], csrf=True)
    bob = logged_in(scene["bob"], csrf=True)
    anonymous = Client(enforce_csrf_checks=True)
    posts = [
        (ada, f"/papers/{paper.arxiv_id}/vote", {"state": "on"}),
        (ada, f"/papers/{paper.arxiv_id}/comments", {"body": "hello"}),
        (ada, f"/comments/{comment.pk}/edit", {"body": "changed"}),
        (ada, f"/comments/{comment.pk}/delete", {}),
        (bob, f"/comments/{comment.pk}/report", {"reason": "spam"}),
        (ada, "/submit", {"paper": "2606.00002"}),
        (ada, "/settings/profile", {"display_name": "Changed"}),
        (ada, "/accounts/logout/", {}),
        (ada, "/accounts/email/", {"email": "new@example.org", "action_add": ""}),
        (
            ada,
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "x" * 20, "password2": "x" * 20},
        ),
        (
            anonymous,
            "/accounts/signup/",
            {"email": "eve@example.org", "username": "eve", "password1": PASSWORD, "password2": PASSWORD},
        ),
        (anonymous, "/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}),
        (anonymous, "/accounts/password/reset/", {"email": "ada@example.org"}),
    ]
    for client, url, data in posts:
        assert client.post(url, data).status_code == 403, url
    comment.refresh_from_db()
    assert comment.body == "ada's own words" and not comment.deleted
    assert (Vote.objects.count(), Comment.objects.count(), Report.objects.count()) == (0, 1, 0)
    assert Member.objects.get(user=scene["ada"]).display_name == ""
    assert not EmailAddress.objects.filter(email="new@example.org").exists()
    assert ada.get("/settings/profile").status_code == 200  # still logged in


def test_the_token_from_the_page_lets_the_vote_through(scene: dict[str, Any]) -> None:
    client = logged_in(scene["ada"], csrf=True)
    page = client.get(f"/papers/{scene['paper'].arxiv_id}").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # hx-headers on <body>
    response = client.post(
        f"/papers/{scene['paper'].arxiv_id}/vote",
        {"state": "on"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and Vote.objects.count() == 1


def test_no_get_changes_anything(scene: dict[str, Any]) -> None:
    paper, comment = scene["paper"], scene["comment"]
    client = logged_in(scene["ada"])
    for url in (
        f"/papers/{paper.arxiv_id}/vote",
        f"/papers/{paper.arxiv_id}/comments",
        f"/comments/{comment.pk}/delete",
    ):
        assert client.get(url).status_code == 405, url
    assert client.get(f"/comments/{comment.pk}/edit?body=changed").status_code == 200
    assert client.get("/submit?paper=2606.00002").status_code == 200
    assert client.get("/accounts/logout/").status_code == 200  # a page asking to confirm
    assert client.get("/settings/profile").status_code == 200  # still logged in
    carol = make_member("carol", verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=carol)).key
    assert Client().get(f"/accounts/confirm-email/{key}/").status_code == 200
    assert not EmailAddress.objects.get(user=carol).verified
    comment.refresh_from_db()
    assert comment.body == "ada's own words" and not Vote.objects.exists()
    assert not Submission.objects.exists()


# --- XSS ------------------------------------------------------------------------------------------


def test_hostile_comments_render_inert(scene: dict[str, Any]) -> None:
    client = logged_in(scene["bob"])
    for payload in [*XSS, HOSTILE]:
        assert (
            client.post(f"/papers/{scene['paper'].arxiv_id}/comments", {"body": payload}).status_code == 302
        )
    page = client.get(f"/papers/{scene['paper'].arxiv_id}").content.decode()
    assert "click" in page and "alert(1)" in page  # the text is there, as text
    assert_inert(page)
    assert_inert(client.get("/members/bob").content.decode())


def test_hostile_titles_abstracts_names_and_urls_render_inert() -> None:
    paper = make_paper(
        "2606.00009",
        title="Attention " + XSS[0] + XSS[1],
        abstract=HOSTILE + " $x<y$",
        authors=[XSS[2]],
        github_repo="javascript:alert(1)",
        project_page="javascript:alert(1)",
    )
    eve = make_member("eve", display_name=XSS[1][:60])
    comments.create(eve, paper, "hi")
    votes.set_vote(eve, paper, True)
    Submission.objects.create(paper=paper, user=eve)
    Member.objects.filter(user=eve).update(show_upvotes=True)
    client = Client()
    for url in (
        "/",
        f"/papers/{paper.arxiv_id}",
        "/members/eve",
        "/?format=json",
        f"/papers/{paper.arxiv_id}?format=json",
    ):
        html = client.get(url).content.decode()
        assert "alert(1)" in html, url
        if "json" not in url:
            assert_inert(html)
    assert "Code</a>" not in client.get(f"/papers/{paper.arxiv_id}").content.decode()


def test_hostile_submissions_and_redirects_are_refused(scene: dict[str, Any]) -> None:
    client = logged_in(scene["ada"])
    response = client.post("/submit", {"paper": "https://arxiv.org/abs/<script>alert(1)</script>"})
    assert response.status_code == 400 and b"is not an arXiv id" in response.content
    assert_inert(response.content.decode())
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(f"/papers/{scene['paper'].arxiv_id}/vote", {"next": target})
        assert response["Location"] == f"/papers/{scene['paper'].arxiv_id}", target


# --- what is not yours ----------------------------------------------------------------------------


def test_a_member_cannot_see_or_edit_anothers_comment_source(scene: dict[str, Any]) -> None:
    bob = logged_in(scene["bob"])
    comment = scene["comment"]
    form = bob.get(f"/comments/{comment.pk}/edit")
    assert form.status_code == 403 and b"own comments" in form.content
    assert b"ada&#x27;s own words" not in form.content and b"<textarea" not in form.content
    assert bob.post(f"/comments/{comment.pk}/edit", {"body": "bob was here"}).status_code == 403
    assert bob.post(f"/comments/{comment.pk}/delete").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "ada's own words" and not comment.deleted


def test_a_member_cannot_report_their_own_comment(scene: dict[str, Any]) -> None:
    response = logged_in(scene["ada"]).post(f"/comments/{scene['comment'].pk}/report", {"reason": "spam"})
    assert response.status_code == 400 and not Report.objects.exists()


def test_the_profile_form_changes_only_your_own_profile(scene: dict[str, Any]) -> None:
    bob = logged_in(scene["bob"])
    bob.post("/settings/profile", {"display_name": "Bob B.", "user": scene["ada"].pk})
    assert Member.objects.get(user=scene["bob"]).display_name == "Bob B."
    assert Member.objects.get(user=scene["ada"]).display_name == ""


def test_hidden_upvotes_emails_and_moderated_comments_stay_private(scene: dict[str, Any]) -> None:
    votes.set_vote(scene["ada"], scene["paper"], True)
    Comment.objects.filter(pk=scene["comment"].pk).update(hidden=True)
    seen_by_bob = logged_in(scene["bob"]).get("/members/ada").content.decode()
    assert "Upvoted" not in seen_by_bob and "ada@example.org" not in seen_by_bob
    assert "ada&#x27;s own words" not in seen_by_bob
    page = logged_in(scene["bob"]).get(f"/papers/{scene['paper'].arxiv_id}").content.decode()
    assert "ada&#x27;s own words" not in page
    assert logged_in(scene["bob"]).get(f"/comments/{scene['comment'].pk}/report").status_code == 404


# --- unverified and suspended accounts ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unverified", "suspended"])
def test_unverified_and_suspended_members_are_refused(kind: str) -> None:
    paper = make_paper()
    user = make_member("mallory", verified=kind != "unverified", suspended=kind == "suspended")
    client = logged_in(user)
    message = b"Confirm your e-mail" if kind == "unverified" else b"suspended"
    for url, data in (
        (f"/papers/{paper.arxiv_id}/vote", {"state": "on"}),
        (f"/papers/{paper.arxiv_id}/comments", {"body": "hello"}),
        ("/submit", {"paper": "2606.00002"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403 and message in response.content, url
    htmx = client.post(f"/papers/{paper.arxiv_id}/vote", {"state": "on"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 403 and htmx["HX-Retarget"] == "#flash" and message in htmx.content
    paper.refresh_from_db()
    assert (paper.upvotes, paper.num_comments) == (0, 0) and not Vote.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    paper = make_paper()
    response = Client().post(f"/papers/{paper.arxiv_id}/vote")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    htmx = Client().post(f"/papers/{paper.arxiv_id}/vote", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith("/accounts/login/")


# --- bad input ------------------------------------------------------------------------------------


def test_oversized_and_empty_comments_get_clear_messages(scene: dict[str, Any], settings: Any) -> None:
    client = logged_in(scene["bob"])
    url = f"/papers/{scene['paper'].arxiv_id}/comments"
    big = client.post(url, {"body": "x" * (settings.COMMENT_MAX_CHARS + 1)})
    assert big.status_code == 400 and b"10,001 characters long; the limit is 10,000" in big.content
    assert b"x" * 100 in big.content  # the text comes back to be shortened, not lost
    empty = client.post(url, {"body": "   "})
    assert empty.status_code == 400 and b"the comment is empty" in empty.content
    assert Comment.objects.count() == 1


def test_malformed_ids_get_clear_messages(scene: dict[str, Any]) -> None:
    client = logged_in(scene["ada"])
    bad_paper = client.post("/papers/abc/vote")
    assert bad_paper.status_code == 400 and b"is not an arXiv id" in bad_paper.content
    assert client.post("/papers/2606.99999/vote").status_code == 404
    bad_comment = client.get("/comments/12ab/edit")
    assert bad_comment.status_code == 400 and b"is not a comment number" in bad_comment.content
    bad_parent = client.post(f"/papers/{scene['paper'].arxiv_id}/comments", {"body": "hi", "parent": "x1"})
    assert bad_parent.status_code == 400 and b"is not a comment number" in bad_parent.content
    gone_parent = client.post(
        f"/papers/{scene['paper'].arxiv_id}/comments", {"body": "hi", "parent": "999999"}
    )
    assert gone_parent.status_code == 400 and b"no longer there" in gone_parent.content
    bad_submit = client.post("/submit", {"paper": "not a paper"})
    assert bad_submit.status_code == 400 and b"is not an arXiv id" in bad_submit.content
    assert client.post("/papers/2606.00001/vote", {"state": "sideways"}).status_code == 400
    assert Comment.objects.count() == 1 and not Vote.objects.exists()


# --- rate limits ----------------------------------------------------------------------------------


def test_votes_and_comments_past_the_limit_get_a_clear_message(scene: dict[str, Any], settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "2/m", "comment": "1/h"}
    client = logged_in(scene["bob"])
    url = f"/papers/{scene['paper'].arxiv_id}/vote"
    assert [client.post(url, HTTP_HX_REQUEST="true").status_code for _ in range(2)] == [200, 200]
    limited = client.post(url, HTTP_HX_REQUEST="true")
    assert limited.status_code == 429 and b"Too many votes: the limit is 2 per minute" in limited.content
    assert limited["HX-Retarget"] == "#flash" and int(limited["Retry-After"]) <= 60
    comments_url = f"/papers/{scene['paper'].arxiv_id}/comments"
    assert client.post(comments_url, {"body": "one"}).status_code == 302
    second = client.post(comments_url, {"body": "two"})
    assert second.status_code == 429 and b"Too many comments: the limit is 1 per hour" in second.content
    assert Paper.objects.get(pk=scene["paper"].pk).num_comments == 2


def test_signups_past_the_limit_are_refused(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    client = Client()
    data = {"email": "a1@example.org", "username": "a1", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/accounts/signup/", data).status_code == 302
    again = Client().post("/accounts/signup/", {**data, "email": "a2@example.org", "username": "a2"})
    assert again.status_code == 429 and b"Too many attempts" in again.content
