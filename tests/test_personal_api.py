"""/api/v1/me: the member's reads and writes by session or personal API token, tokens hashed and revocable."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from paperwire.personal import interests, tokens
from paperwire.personal.models import ApiToken, LibraryItem, Mute
from tests.community_data import make_paper
from tests.personal_fixtures import logged_in

pytest_plugins = ["tests.personal_fixtures", "tests.community_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_a_token_made_on_the_settings_page_is_shown_once_and_stored_hashed(member: Any) -> None:
    client = logged_in(member)
    page = client.post("/settings/tokens", {"name": "script", "write": "1"}).content.decode()
    raw = page.split('<code class="token">')[1].split("</code>")[0]
    row = ApiToken.objects.get(user=member)
    assert raw.startswith("pw_") and row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in client.get("/settings/tokens").content.decode()


def test_a_read_only_token_reads_but_cannot_write(member: Any) -> None:
    paper = make_paper()
    _, raw = tokens.create(member, "reader")
    r = Client().get("/api/v1/me/for-you", **bearer(raw))
    assert r.status_code == 200 and r.json()["papers"][0]["id"] == paper.arxiv_id
    r = post_json(Client(), "/api/v1/me/signals", {"paper": paper.arxiv_id, "kind": "save"}, **bearer(raw))
    assert r.status_code == 403 and "read-only" in r.json()["error"]
    assert not LibraryItem.objects.exists()


def test_a_read_write_token_saves_follows_and_mutes(member: Any) -> None:
    paper = make_paper(title="Muted by the API")
    _, raw = tokens.create(member, "writer", write=True)
    c = Client()
    r = post_json(c, "/api/v1/me/signals", {"paper": paper.arxiv_id, "kind": "save"}, **bearer(raw))
    assert r.status_code == 200 and r.json()["saved"] is True
    assert [p["id"] for p in c.get("/api/v1/me/library", **bearer(raw)).json()["papers"]] == [paper.arxiv_id]
    r = post_json(c, "/api/v1/me/follows", {"kind": "category", "value": "cs.LG"}, **bearer(raw))
    assert {"kind": "category", "value": "cs.LG"} in r.json()["follows"]
    r = post_json(c, "/api/v1/me/mutes", {"kind": "word", "value": "API"}, **bearer(raw))
    assert r.status_code == 200 and Mute.objects.filter(user=member, value="API").exists()
    data = c.get("/api/v1/me/for-you", **bearer(raw)).json()
    assert data["papers"] == [] and data["hidden"] == 1  # mute rules hold in API answers too
    r = post_json(c, "/api/v1/me/mutes", {"kind": "colour", "value": "red"}, **bearer(raw))
    assert r.status_code == 400 and "kind must be one of" in r.json()["error"]


def test_a_revoked_or_made_up_token_is_refused(member: Any) -> None:
    row, raw = tokens.create(member, "old")
    client = logged_in(member)
    client.post(f"/settings/tokens/{row.pk}/revoke")
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    for presented in (raw, "pw_made-up", "not-even-a-token"):
        r = Client().get("/api/v1/me/library", **bearer(presented))
        assert r.status_code == 401 and "token" in r.json()["error"], presented


def test_the_session_reads_and_writes_only_with_the_csrf_token(member: Any) -> None:
    paper = make_paper()
    assert Client().get("/api/v1/me/library").status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get("/api/v1/me/follows").status_code == 200
    r = post_json(client, "/api/v1/me/signals", {"paper": paper.arxiv_id, "kind": "read"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    client.get("/")  # sets the CSRF cookie as a page visit does
    token = client.cookies["csrftoken"].value
    r = post_json(
        client, "/api/v1/me/signals", {"paper": paper.arxiv_id, "kind": "read"}, HTTP_X_CSRFTOKEN=token
    )
    assert r.status_code == 200 and r.json()["reading_status"] == "read"


def test_a_bad_signal_says_what_was_wrong(member: Any) -> None:
    _, raw = tokens.create(member, "w", write=True)
    tries = [
        ({"paper": "junk", "kind": "save"}, 400),
        ({"paper": "2601.99999", "kind": "save"}, 404),
        ({"paper": "2601.99999", "kind": "love"}, 400),
    ]
    for body, status in tries:
        r = post_json(Client(), "/api/v1/me/signals", body, **bearer(raw))
        assert r.status_code == status and r.json()["error"], body
    interests.follow(member, "author", "Ada Lovelace")
    assert Client().get("/api/v1/me/follows", **bearer(raw)).json()["follows"][0]["value"] == "Ada Lovelace"
