"""The digest e-mail: what it says, how it is delivered to a real SMTP server, retries and bounces."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from paperwire.digests.models import DigestSend, Subscription
from paperwire.digests.sending import run_due, send_period
from paperwire.papers.models import Paper
from paperwire.papers.periods import parse_day, parse_week
from paperwire.settings import parse_email_url

from .digests_fixtures import DAY, WEEK, Inbox, import_days, smtp_fixture, smtp_settings_fixture, subscribers  # noqa: F401  (fixtures)

NOW = dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)


def parts(message: Any) -> tuple[str, str]:
    """Return a message's plain-text and HTML parts."""
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@pytest.fixture
def upvoted(db: None) -> list[Paper]:
    """Import the demo papers of DAY and give three of them upvotes and comments."""
    import_days(DAY, limit=40)
    papers = list(Paper.objects.order_by("arxiv_id")[:3])
    for votes, paper in zip((30, 20, 10), papers, strict=True):
        paper.upvotes, paper.num_comments = votes, votes // 10
        paper.save()
    papers[1].title = "Beating <script>alert(1)</script> & friends"
    papers[1].save()
    return papers


def test_it_delivers_both_parts_with_links_that_work_and_one_click_unsubscribe(
    live_server: Any, smtp_settings: Inbox, upvoted: list[Paper], settings: Any
) -> None:
    settings.BASE_URL = live_server.url
    [sub] = subscribers(1)
    report = send_period(parse_day(DAY), now=NOW)
    assert (report.sent, report.papers) == (1, 10)
    [message] = smtp_settings.to(sub.email)
    text, html = parts(message)
    assert message.get_content_type() == "multipart/alternative"
    assert "1 July 2026" in message["Subject"] and "\n" not in message["Subject"]
    # The top trending papers, most upvoted first, in both parts, with authors, abstract and counts.
    top = upvoted[0]
    assert text.index(top.title) < text.index("Beating <script>") < text.index(upvoted[2].title)
    assert "Beating &lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html and "<script>" not in html
    assert "▲ 30 upvotes · 3 comments" in text and "▲ 30 upvotes · 3 comments" in html
    assert ", ".join(top.authors[:2]) in text and " ".join(top.abstract.split())[:100] in text
    # Every paper link opens the paper's page on this instance.
    links = re.findall(r'href="([^"]+/papers/(?!date/|week/)[^"]+)"', html)
    assert len(links) == 10 and all(link.startswith(live_server.url) for link in links)
    assert all(link in text for link in links)
    page = httpx.get(links[0])
    assert page.status_code == 200 and top.arxiv_id in page.text
    assert httpx.get(f"{live_server.url}/papers/date/{DAY}").status_code == 200
    assert f'href="{live_server.url}/papers/date/{DAY}"' in html
    # RFC 2369 / RFC 8058 headers and a visible link, all to the same unsubscribe URL.
    url = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        url.startswith(live_server.url + "/digests/unsubscribe/") and url in text and f'href="{url}"' in html
    )
    shown = httpx.get(url)
    assert shown.status_code == 200 and "Unsubscribe" in shown.text
    assert Subscription.objects.get().status == "active"
    # The one-click POST a mail client makes: no cookie, no CSRF token, no login.
    done = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Subscription.objects.get().status == "unsubscribed"
    assert send_period(parse_day("2026-06-30"), now=NOW).sent == 0


def test_each_subscriber_gets_a_periods_digest_once(smtp_settings: Inbox, upvoted: list[Paper]) -> None:
    subscribers(5)
    subscribers(2, "weekly", prefix="weekly")
    first = send_period(parse_day(DAY), now=NOW)
    again = send_period(parse_day(DAY), now=NOW)
    weekly = send_period(parse_week(WEEK), now=NOW)
    assert (first.sent, again.sent, weekly.sent) == (5, 0, 2)
    assert set(smtp_settings.recipients().values()) == {1} and len(smtp_settings.messages) == 7
    assert {m["Message-ID"] for m in smtp_settings.messages} == {
        f"<digest.{p}.{s.pk}@127.0.0.1>"
        for s in Subscription.objects.all()
        for p in [DAY if s.frequency == "daily" else WEEK]
    }


def test_a_period_with_no_papers_sends_nothing(smtp_settings: Inbox, upvoted: list[Paper]) -> None:
    subscribers(3)
    subscribers(1, "weekly", prefix="weekly")
    for period in (parse_day("2026-05-05"), parse_day("2026-06-27"), parse_week("2026-W20")):
        report = send_period(period, now=NOW)
        assert report.sent == 0 and report.notes
    assert not smtp_settings.messages and not DigestSend.objects.exists()


def test_it_retries_temporary_failures_with_growing_waits(
    smtp_settings: Inbox, upvoted: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("paperwire.digests.sending.time.sleep", waits.append)
    [flaky, steady] = subscribers(2)
    smtp_settings.temporary[flaky.email] = 2
    report = send_period(parse_day(DAY), now=NOW)
    assert (report.sent, report.deferred, report.bounced) == (2, 0, 0)
    assert waits == [0.01, 0.02]
    assert smtp_settings.recipients() == {flaky.email: 1, steady.email: 1}


def test_a_server_that_closes_the_channel_is_reconnected_to(
    smtp_settings: Inbox, upvoted: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperwire.digests.sending.time.sleep", lambda seconds: None)
    readers = subscribers(3)
    smtp_settings.data_replies = ["421 4.3.2 Closing the channel, come back"]
    report = send_period(parse_day(DAY), now=NOW)
    assert (report.sent, report.deferred, report.bounced) == (3, 0, 0)
    assert smtp_settings.recipients() == {r.email: 1 for r in readers}


def test_a_lasting_temporary_failure_waits_for_a_later_run(
    smtp_settings: Inbox, upvoted: list[Paper]
) -> None:
    [flaky] = subscribers(1)
    smtp_settings.temporary[flaky.email] = 99
    assert send_period(parse_day(DAY), now=NOW).deferred == 1
    row = DigestSend.objects.get()
    assert row.status == "pending" and row.not_before and row.attempts == 1
    assert send_period(parse_day(DAY), now=NOW + dt.timedelta(minutes=5)).sent == 0  # still waiting
    smtp_settings.temporary.clear()
    assert send_period(parse_day(DAY), now=NOW + dt.timedelta(minutes=31)).sent == 1
    assert smtp_settings.recipients() == {flaky.email: 1}


def test_permanent_failures_are_counted_and_pause_the_subscription(
    smtp_settings: Inbox, upvoted: list[Paper], settings: Any
) -> None:
    settings.DIGEST_MAX_BOUNCES = 2
    import_days("2026-06-30", "2026-06-29", limit=12)
    gone, fine = subscribers(2)
    smtp_settings.permanent.add(gone.email)
    one = send_period(parse_day(DAY), now=NOW)
    assert (one.sent, one.bounced, one.paused) == (1, 1, 0)
    two = send_period(parse_day("2026-06-30"), now=NOW)
    assert (two.sent, two.bounced, two.paused) == (1, 1, 1)
    gone.refresh_from_db()
    assert (gone.status, gone.bounces) == ("paused", 2)
    three = send_period(parse_day("2026-06-29"), now=NOW)
    assert (three.sent, three.bounced) == (1, 0)  # a paused subscription is no longer tried
    assert smtp_settings.recipients() == {fine.email: 3}


def test_run_due_sends_the_last_weekday_and_the_last_week_once(
    smtp_settings: Inbox, upvoted: list[Paper], settings: Any
) -> None:
    settings.DIGEST_HOUR = 7
    import_days("2026-06-22", "2026-06-26", "2026-06-30", limit=5)
    daily, late = subscribers(2)
    [weekly] = subscribers(1, "weekly", prefix="weekly")
    # Confirmed after the 2026-07-02 07:00 digest fell due: waits for the next one.
    Subscription.objects.filter(pk=late.pk).update(confirmed_at=dt.datetime(2026, 7, 2, 7, 30, tzinfo=dt.UTC))
    early = run_due(now=dt.datetime(2026, 7, 2, 6, 59, tzinfo=dt.UTC))
    assert early.periods == ["2026-06-30", "2026-W26"] and early.sent == 2
    report = run_due(now=NOW)
    assert report.periods == [DAY, "2026-W26"] and report.sent == 1
    assert run_due(now=NOW + dt.timedelta(minutes=1)).sent == 0
    assert smtp_settings.recipients() == {daily.email: 2, weekly.email: 1}
    assert "1 July 2026" in smtp_settings.to(daily.email)[-1]["Subject"]


def test_the_digest_command_sends_a_named_past_period_and_refuses_bad_ones(
    smtp_settings: Inbox, upvoted: list[Paper], capsys: pytest.CaptureFixture[str]
) -> None:
    subscribers(3)
    call_command("digest", "--period", DAY)
    assert f"periods {DAY}: sent 3" in capsys.readouterr().out
    call_command("digest", "--period", "2026-06-27")
    assert "weekdays only" in capsys.readouterr().out
    for bad in ("2026-13-01", "2026-W60", "yesterday", "2026-07-01\r\nx"):
        with pytest.raises(CommandError):
            call_command("digest", "--period", bad)
    assert len(smtp_settings.messages) == 3


def test_a_digest_is_refused_to_an_unsubscribed_reader_who_was_already_planned(
    smtp_settings: Inbox, upvoted: list[Paper]
) -> None:
    from paperwire.digests.sending import plan

    [sub] = subscribers(1)
    plan(parse_day(DAY))
    Subscription.objects.filter(pk=sub.pk).update(status="unsubscribed")
    assert send_period(parse_day(DAY), now=NOW).sent == 0 and not smtp_settings.messages
    assert DigestSend.objects.get().status == "failed"


def test_the_confirmation_mail_arrives_at_the_smtp_server(
    client: Client, db: None, smtp_settings: Inbox
) -> None:
    client.post("/digests/subscribe", {"email": "new@example.org", "frequency": "daily"})
    [message] = smtp_settings.to("new@example.org")
    text, html = parts(message)
    assert "/digests/confirm/" in text and "/digests/confirm/" in html and "72 hours" in text


def test_the_email_url_setting_becomes_djangosparse_email_url() -> None:
    tls = parse_email_url("smtp://me%40example.org:p%3Ass@mail.example.org:587?tls=1")
    assert tls["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (tls["EMAIL_HOST"], tls["EMAIL_PORT"], tls["EMAIL_USE_TLS"], tls["EMAIL_USE_SSL"]) == (
        "mail.example.org",
        587,
        True,
        False,
    )
    assert (tls["EMAIL_HOST_USER"], tls["EMAIL_HOST_PASSWORD"]) == ("me@example.org", "p:ss")
    ssl = parse_email_url("smtps://u:p@mail.example.org")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ValueError, match="unknown scheme"):
        parse_email_url("http://mail.example.org")


def test_an_unreachable_smtp_server_stops_the_run_and_leaves_every_send_for_later(
    smtp_settings: Inbox, upvoted: list[Paper], settings: Any
) -> None:
    from paperwire.digests.sending import TransportDown

    from .digests_fixtures import free_port

    subscribers(3)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(TransportDown, match="unreachable"):
        send_period(parse_day(DAY), now=NOW)
    assert set(DigestSend.objects.values_list("status", flat=True)) == {"pending"}
    settings.EMAIL_PORT = smtp_settings.port
    assert send_period(parse_day(DAY), now=NOW).sent == 3
