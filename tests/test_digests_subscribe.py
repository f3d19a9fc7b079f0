"""Subscribing without an account: double opt-in, signed links, hostile input, rate limits."""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from paperwire.digests.models import Subscription
from paperwire.digests.tokens import UNSUBSCRIBE_SALT, confirm_token, unsubscribe_token

from .digests_fixtures import DAY, Inbox, import_days, smtp_fixture, smtp_settings_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def path_of(message: Any, kind: str) -> str:
    """Return the path of the confirm or unsubscribe link in a message's plain-text part."""
    text = message.get_body(("plain",)).get_content()
    return urlsplit(re.search(rf"https?://\S+/digests/{kind}/\S+", text)[0]).path


def subscribe(client: Client, address: str, frequency: str = "daily", ip: str = "10.0.0.1") -> Any:
    return client.post("/digests/subscribe", {"email": address, "frequency": frequency}, REMOTE_ADDR=ip)


def test_it_sends_nothing_but_a_confirmation_until_the_address_confirms(
    client: Client, smtp_settings: Inbox
) -> None:
    response = subscribe(client, "Reader@Example.ORG", "weekly")
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    sub = Subscription.objects.get()
    assert (sub.email, sub.status) == ("Reader@example.org", "pending")
    [message] = smtp_settings.messages
    assert message["To"] == "Reader@example.org" and "Confirm" in message["Subject"]
    assert "/digests/confirm/" in message.get_body(("html",)).get_content()
    confirmed = client.post(path_of(message, "confirm"))
    assert confirmed.status_code == 200 and "Subscribed" in confirmed.content.decode()
    sub.refresh_from_db()
    assert (sub.status, sub.frequency) == ("active", "weekly") and sub.confirmed_at is not None


def test_the_feed_pages_carry_a_subscribe_box(client: Client, db: None) -> None:
    import_days(DAY, limit=5)
    html = client.get(f"/papers/date/{DAY}").content.decode()
    form = re.search(
        r'<form class="subscribe-box" method="post" action="/digests/subscribe">.*?</form>', html, re.S
    )
    assert (
        form
        and 'name="email"' in form[0]
        and 'value="weekly"' in form[0]
        and "csrfmiddlewaretoken" in form[0]
    )


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "not-an-address",
        "a@b",
        "a@@example.org",
        "<a@example.org>",
        '"Eve" <eve@example.org>',
        "a@example.org, b@example.org",
        "a b@example.org",
        "x" * 250 + "@example.org",
        "a@exa\tmple.org",
    ],
)
def test_it_refuses_malformed_addresses_and_stores_and_sends_nothing(
    client: Client, smtp_settings: Inbox, address: str
) -> None:
    response = subscribe(client, address)
    assert response.status_code == 400
    assert "not valid" in response.content.decode() or "Enter an e-mail" in response.content.decode()
    assert not Subscription.objects.exists() and not smtp_settings.messages


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org\r\nBcc: victim@example.org",
        "a@example.org\nBcc: victim@example.org",
        "a@example.org\rSubject: hijacked",
        '"Name\r\nBcc: victim@example.org" <a@example.org>',
        "Name\r\nBcc: victim@example.org <a@example.org>",
        "a@example.org\x00victim@example.org",
    ],
)
def test_it_refuses_header_injection_in_addresses_and_names(
    client: Client, smtp_settings: Inbox, address: str
) -> None:
    response = subscribe(client, address)
    assert response.status_code == 400
    assert not Subscription.objects.exists() and not smtp_settings.messages


def test_it_refuses_a_frequency_it_does_not_offer(client: Client, smtp_settings: Inbox) -> None:
    assert subscribe(client, "a@example.org", "hourly").status_code == 400
    assert not Subscription.objects.exists()


def test_it_rate_limits_a_flood_of_requests_from_one_client(
    client: Client, smtp_settings: Inbox, settings: Any
) -> None:
    settings.DIGEST_SUBSCRIBE_LIMIT = 3
    codes = [subscribe(client, f"flood{i}@example.org").status_code for i in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert Subscription.objects.count() == 3 and len(smtp_settings.messages) == 3
    # Another client is not held back by the flood.
    assert subscribe(client, "other@example.org", ip="10.0.0.9").status_code == 200


def test_it_rate_limits_requests_for_one_address_from_many_clients(
    client: Client, smtp_settings: Inbox, settings: Any
) -> None:
    settings.DIGEST_SUBSCRIBE_LIMIT = 2
    codes = [subscribe(client, "victim@example.org", ip=f"10.0.1.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 429, 429] and len(smtp_settings.messages) == 2


def test_following_the_confirmation_link_only_shows_a_button(client: Client, smtp_settings: Inbox) -> None:
    # Tried (the probe): a link scanner's GET, then HEAD, on the confirmation link; each used to
    # activate the subscription for the address's owner.
    subscribe(client, "scanned@example.org", "weekly")
    link = path_of(smtp_settings.messages[0], "confirm")
    shown = client.get(link)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert f'<form method="post" action="{link}">' in html and "scanned@example.org" in html
    assert client.head(link).status_code == 200
    assert Subscription.objects.get().status == "pending"
    assert "Subscribed" in client.post(link).content.decode()
    assert Subscription.objects.get().status == "active"


def test_it_refuses_forged_confirmation_tokens(client: Client, smtp_settings: Inbox) -> None:
    subscribe(client, "a@example.org")
    real = path_of(smtp_settings.messages[0], "confirm").rsplit("/", 1)[1]
    sub = Subscription.objects.get()
    forged = [
        real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"),  # a changed signature
        signing.dumps([sub.pk, sub.confirm_nonce, "daily"], salt="another.salt"),  # another purpose
        signing.dumps(
            [sub.pk, sub.confirm_nonce, "daily"], key="not-the-secret-key", salt="paperwire.digests.confirm"
        ),
        "WzEsIngiLCJkYWlseSJd",  # unsigned
        "x" * 190,
    ]
    for token in forged:
        response = client.get(f"/digests/confirm/{token}")
        assert response.status_code == 400, token
        assert "not valid" in response.content.decode()
    assert Subscription.objects.get().status == "pending"
    assert client.get("/digests/confirm/" + "x" * 300).status_code == 404  # longer than any token


def test_it_refuses_expired_confirmation_tokens(client: Client, smtp_settings: Inbox, settings: Any) -> None:
    settings.DIGEST_CONFIRM_HOURS = 72
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 73 * 3600):
        subscribe(client, "late@example.org")
    response = client.get(path_of(smtp_settings.messages[0], "confirm"))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert Subscription.objects.get().status == "pending"


def test_it_refuses_reused_and_superseded_confirmation_tokens(client: Client, smtp_settings: Inbox) -> None:
    subscribe(client, "a@example.org", "daily")
    subscribe(client, "a@example.org", "weekly")
    first, second = (path_of(m, "confirm") for m in smtp_settings.messages)
    assert client.post(first).status_code == 410  # a newer link was sent
    assert client.post(second).status_code == 200
    again = client.post(second)
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert Subscription.objects.get().frequency == "weekly"


def test_a_new_request_for_a_subscribed_address_changes_nothing_until_confirmed(
    client: Client, smtp_settings: Inbox
) -> None:
    subscribe(client, "a@example.org", "daily")
    client.post(path_of(smtp_settings.messages[0], "confirm"))
    before = subscribe(client, "a@example.org", "weekly", ip="10.9.9.9")
    assert (
        before.status_code == 200 and "Check your inbox" in before.content.decode()
    )  # tells a stranger nothing
    assert Subscription.objects.get().frequency == "daily"


def test_unsubscribing_by_link_needs_a_post_and_no_login(client: Client, db: None) -> None:
    sub = Subscription.objects.create(email="a@example.org", status="active")
    path = f"/digests/unsubscribe/{unsubscribe_token(sub)}"
    page = client.get(path)
    assert page.status_code == 200 and f'action="{path}"' in page.content.decode()
    sub.refresh_from_db()
    assert sub.status == "active"  # link scanners that follow the link change nothing
    done = Client(enforce_csrf_checks=True).post(path)  # no session, no CSRF token
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    sub.refresh_from_db()
    assert sub.status == "unsubscribed" and sub.unsubscribed_at is not None


def test_it_refuses_forged_expired_and_reused_unsubscribe_tokens(
    client: Client, db: None, settings: Any
) -> None:
    sub = Subscription.objects.create(email="a@example.org", status="active")
    token = unsubscribe_token(sub)
    forged = signing.dumps([sub.pk, sub.unsubscribe_nonce], key="not-the-secret-key", salt=UNSUBSCRIBE_SALT)
    for bad in (forged, confirm_token(sub, "daily"), token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert client.post(f"/digests/unsubscribe/{bad}").status_code == 400
    settings.DIGEST_UNSUBSCRIBE_DAYS = 180
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 181 * 86400):
        old = unsubscribe_token(sub)
    assert client.post(f"/digests/unsubscribe/{old}").status_code == 410
    sub.refresh_from_db()
    assert sub.status == "active"
    assert client.post(f"/digests/unsubscribe/{token}").status_code == 200
    reused = client.post(f"/digests/unsubscribe/{token}")
    assert reused.status_code == 410 and "already used" in reused.content.decode()
