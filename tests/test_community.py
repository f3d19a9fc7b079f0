"""Community: submissions fetched from arXiv, votes, comments, trending, moderation, settings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from paperwire.community import comments, moderation, votes
from paperwire.community.arxiv import fetch_paper
from paperwire.community.models import Comment, Member, Submission
from paperwire.community.submissions import SubmissionRefused, submit
from paperwire.papers import queries, trending
from paperwire.papers.models import Paper
from tests.community_data import make_member, make_paper

pytest_plugins = ["tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- fetching and submitting ---------------------------------------------------------------


def test_it_fetches_a_paper_from_the_recorded_arxiv_api(arxiv_api: Any) -> None:
    record = fetch_paper("1605.08386")
    assert record is not None
    assert record.title == "Heat-bath random walks with Markov bases"
    assert record.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert record.categories == ["math.CO", "math.ST"]
    assert record.published == dt.date(2016, 5, 26)
    assert record.comments == "20 pages, 3 figures"
    assert arxiv_api.asked == ["1605.08386"]


def test_it_reads_nothing_for_unknown_and_malformed_ids(arxiv_api: Any) -> None:
    assert fetch_paper("0000.0000") is None  # HTTP 200, no entry
    assert fetch_paper("abc") is None  # HTTP 400 with an error entry


def test_a_submission_fetches_the_paper_and_puts_it_on_todays_feed(arxiv_api: Any, settings: Any) -> None:
    settings.SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2016
    ada = make_member("ada")
    result = submit(ada, "https://arxiv.org/pdf/1707.08567v2")
    paper = Paper.objects.get(arxiv_id="1707.08567")
    assert result.created and result.paper == paper
    assert paper.submitted_by == "ada" and paper.listing_day == timezone.now().date()
    assert len(paper.authors) > 30
    assert Submission.objects.get(paper=paper).user == ada
    again = submit(make_member("bob"), "1707.08567")
    assert not again.created and "already submitted by ada" in again.message
    assert arxiv_api.asked == ["1707.08567"]  # the second submission did not ask arXiv


def test_a_submission_of_an_old_paper_is_refused_with_the_rule(arxiv_api: Any) -> None:
    with pytest.raises(SubmissionRefused, match="at most 14 days old"):
        submit(make_member("ada"), "arXiv:1605.08386")
    assert not Paper.objects.exists()


def test_a_submission_of_a_paper_arxiv_does_not_know_is_refused(arxiv_api: Any) -> None:
    # The local server answers arXiv's recorded "no such paper" feed (0000.0000) for unknown ids.
    with pytest.raises(SubmissionRefused, match="arXiv has no paper 2611.99999"):
        submit(make_member("ada"), "2611.99999")


def test_an_unreachable_arxiv_gets_a_clear_message_and_keeps_the_form(settings: Any) -> None:
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # the discard port: nothing listens
    settings.ARXIV_DELAY = 0
    client = Client()
    client.force_login(make_member("ada"))
    response = client.post("/submit", {"paper": "2611.00001"})
    assert response.status_code == 503 and b"arXiv could not be reached" in response.content
    assert b'value="2611.00001"' in response.content and not Paper.objects.exists()


def test_a_paper_already_listed_links_to_its_page(arxiv_api: Any) -> None:
    make_paper("2606.00001")
    result = submit(make_member("ada"), "https://arxiv.org/abs/2606.00001v3")
    assert not result.created and "already on paperwire" in result.message
    assert arxiv_api.asked == []


# --- votes ------------------------------------------------------------------------------------


def test_a_vote_toggles_and_keeps_the_count_exact() -> None:
    paper = make_paper()
    ada = make_member("ada")
    assert votes.set_vote(ada, paper).upvotes == 1
    assert votes.set_vote(ada, paper, True) == votes.VoteResult(voted=True, changed=False, upvotes=1)
    assert votes.set_vote(ada, paper).upvotes == 0
    assert votes.set_vote(ada, paper, False).changed is False
    assert Paper.objects.get(pk=paper.pk).upvotes == 0


def test_the_vote_button_answers_htmx_with_the_new_button() -> None:
    paper = make_paper()
    client = logged_in(make_member("ada"))
    response = client.post(f"/papers/{paper.arxiv_id}/vote", {"state": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Remove upvote, upvoted, 1 upvote"' in html and '<span class="count">1</span>' in html
    plain = client.post(f"/papers/{paper.arxiv_id}/vote", {"state": "off", "next": "/"})
    assert plain.status_code == 302 and plain["Location"] == "/"
    assert Paper.objects.get(pk=paper.pk).upvotes == 0


# --- comments ---------------------------------------------------------------------------------


def test_comments_render_markdown_and_count_on_the_card() -> None:
    paper = make_paper()
    ada = make_member("ada")
    client = logged_in(ada)
    response = client.post(
        f"/papers/{paper.arxiv_id}/comments", {"body": "**Nice** result, see [code](https://example.org)"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "<strong>Nice</strong>" in comment.html and 'rel="nofollow noopener ugc"' in comment.html
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert "<strong>Nice</strong>" in page
    feed = client.get("/").content.decode()
    assert '</svg> 1<span class="sr-only"> comment</span>' in feed


def test_a_reply_to_a_reply_joins_the_same_thread() -> None:
    paper = make_paper()
    ada, bob = make_member("ada"), make_member("bob")
    top = comments.create(ada, paper, "top")
    reply = comments.create(bob, paper, "reply", top.pk)
    deeper = comments.create(ada, paper, "reply to the reply", reply.pk)
    assert reply.parent == top and deeper.parent == top
    [thread] = comments.threads(paper)
    assert [r.html for r in thread.replies] == ["<p>reply</p>\n", "<p>reply to the reply</p>\n"]
    assert Paper.objects.get(pk=paper.pk).num_comments == 3


def test_deleting_a_comment_with_replies_keeps_the_thread() -> None:
    paper = make_paper()
    ada, bob = make_member("ada"), make_member("bob")
    top = comments.create(ada, paper, "top")
    comments.create(bob, paper, "reply", top.pk)
    comments.delete(top)
    [thread] = comments.threads(paper)
    assert thread.comment.deleted and len(thread.replies) == 1
    assert Paper.objects.get(pk=paper.pk).num_comments == 1


def test_editing_a_comment_marks_it_edited() -> None:
    paper = make_paper()
    ada = make_member("ada")
    comment = comments.create(ada, paper, "frist")
    client = logged_in(ada)
    assert client.get(f"/comments/{comment.pk}/edit").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit", {"body": "first"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "first" and comment.edited_at is not None


def test_a_member_can_report_a_comment_once() -> None:
    paper = make_paper()
    comment = comments.create(make_member("ada"), paper, "spam spam")
    client = logged_in(make_member("bob"))
    assert client.get(f"/comments/{comment.pk}/report").status_code == 200
    assert client.post(f"/comments/{comment.pk}/report", {"reason": "spam"}).status_code == 302
    assert client.post(f"/comments/{comment.pk}/report", {"reason": "spam"}).status_code == 302
    assert comment.reports.count() == 1


# --- trending ---------------------------------------------------------------------------------


def test_trending_decays_votes_with_age(settings: Any) -> None:
    settings.HF_UPVOTE_WEIGHT = 0.5
    now = dt.datetime(2026, 7, 2, 12, tzinfo=dt.UTC)
    old = make_paper("2606.00001", listing_day=dt.date(2026, 6, 25), upvotes=20)
    new = make_paper("2607.00001", listing_day=dt.date(2026, 7, 2), upvotes=3)
    hub = make_paper("2607.00002", listing_day=dt.date(2026, 7, 2), upvotes=0, hf_upvotes=8)
    ranked = list(trending.ordered(Paper.objects.all(), "trending", now))
    assert ranked == [hub, new, old]  # 4 points today beat 3 today beat 20 a week ago
    scores = {p.arxiv_id: p.score for p in ranked}
    assert scores["2607.00001"] == pytest.approx(3 / (12 + 2) ** 1.8)
    assert scores["2606.00001"] == pytest.approx(20 / (7 * 24 + 12 + 2) ** 1.8)
    why = trending.explain(new, queries.visible(), now)
    assert (why.rank, why.of, why.age_hours) == (2, 2, 12.0)
    assert why.score == pytest.approx(scores["2607.00001"])


def test_the_paper_page_shows_why_it_ranks_and_about_publishes_the_formula() -> None:
    paper = make_paper(upvotes=2, hf_upvotes=3)
    client = Client()
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert "Why it ranks here" in page and "#1</strong> of 1" in page
    about = client.get("/about").content.decode()
    assert "(age in hours + 2)<sup>1.8</sup>" in about


def test_the_api_trending_sort_uses_the_score() -> None:
    today = timezone.now().date()
    make_paper("2606.00001", listing_day=today - dt.timedelta(days=3), upvotes=5)
    make_paper("2606.00002", listing_day=today, upvotes=2)
    items = Client().get("/api/daily_papers?sort=trending").json()
    assert [i["paper"]["id"] for i in items] == ["2606.00002", "2606.00001"]


# --- moderation -------------------------------------------------------------------------------


def test_suspending_a_member_drops_their_votes_and_hides_their_comments() -> None:
    paper = make_paper()
    ada, bob = make_member("ada"), make_member("bob")
    votes.set_vote(ada, paper, True)
    votes.set_vote(bob, paper, True)
    comments.create(bob, paper, "buy my stuff")
    moderation.set_suspended(Member.objects.filter(user=bob), True, "spam")
    paper.refresh_from_db()
    assert (paper.upvotes, paper.num_comments) == (1, 0)
    assert "buy my stuff" not in Client().get(f"/papers/{paper.arxiv_id}").content.decode()
    refused = logged_in(bob).post(f"/papers/{paper.arxiv_id}/vote", {"state": "off"})
    assert refused.status_code == 403 and b"suspended" in refused.content
    moderation.set_suspended(Member.objects.filter(user=bob), False)
    paper.refresh_from_db()
    assert (paper.upvotes, paper.num_comments) == (2, 1)


def test_deleting_an_account_takes_its_votes_and_comments_off_the_counts(
    django_capture_on_commit_callbacks: Any,
) -> None:
    paper = make_paper()
    ada, bob = make_member("ada"), make_member("bob")
    votes.set_vote(ada, paper, True)
    votes.set_vote(bob, paper, True)
    comments.create(bob, paper, "bye")
    with django_capture_on_commit_callbacks(execute=True):
        bob.delete()
    paper.refresh_from_db()
    assert (paper.upvotes, paper.num_comments) == (1, 0)


def test_hiding_a_comment_or_a_submission_in_the_admin(arxiv_api: Any, settings: Any) -> None:
    settings.SUBMIT_MAX_AGE_DAYS = 100_000
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("mod", "mod@example.org", "pw-for-the-mod-42")
    ada = make_member("ada")
    paper = submit(ada, "1605.08386").paper
    comment = comments.create(ada, paper, "hello")
    admin = logged_in(staff)
    admin.post("/admin/community/comment/", {"action": "hide", "_selected_action": [comment.pk]})
    paper.refresh_from_db()
    assert paper.num_comments == 0
    submission = Submission.objects.get(paper=paper)
    admin.post("/admin/community/submission/", {"action": "hide", "_selected_action": [submission.pk]})
    assert Client().get(f"/papers/{paper.arxiv_id}").status_code == 404
    admin.post("/admin/community/submission/", {"action": "restore", "_selected_action": [submission.pk]})
    assert Client().get(f"/papers/{paper.arxiv_id}").status_code == 200


# --- profiles and settings --------------------------------------------------------------------


def test_a_profile_lists_submissions_comments_and_only_shown_upvotes() -> None:
    paper = make_paper(title="Attention again")
    ada = make_member("ada", display_name="Ada L.")
    votes.set_vote(ada, paper, True)
    comments.create(ada, paper, "nice")
    others = Client().get("/members/ada").content.decode()
    assert "Ada L." in others and "nice" in others and "Upvoted" not in others
    assert "Upvoted" in logged_in(ada).get("/members/ada").content.decode()
    Member.objects.filter(user=ada).update(show_upvotes=True)
    assert "Upvoted" in Client().get("/members/ada").content.decode()


def test_github_and_orcid_sign_in_appear_when_their_keys_are_set(tmp_path: Path) -> None:
    assert "/accounts/github/login/" not in Client().get("/accounts/login/").content.decode()
    # Providers are read at start-up: a fresh process, with its own SQLite database, has the keys.
    script = (
        "import django; django.setup(); from django.conf import settings; settings.ALLOWED_HOSTS = ['*']; "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from django.test import Client; print(Client().get('/accounts/login/').content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperwire.settings",
        "PAPERWIRE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "PAPERWIRE_GITHUB_CLIENT_ID": "id",
        "PAPERWIRE_GITHUB_SECRET": "s",
        "PAPERWIRE_ORCID_CLIENT_ID": "id",
        "PAPERWIRE_ORCID_SECRET": "s",
    }
    page = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert "/accounts/github/login/" in page.stdout and "/accounts/orcid/login/" in page.stdout


def test_password_reset_mail_goes_out_through_the_smtp_server(smtp_inbox: Any) -> None:
    make_member("ada")
    response = Client().post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    [mail] = smtp_inbox.wait_for(1)
    assert "To: ada@example.org" in mail and "/accounts/password/reset/key/" in mail
