"""Display names lose control and bidi characters; sentinel usernames cannot be registered."""

from __future__ import annotations

import pytest
from django.test import Client

from paperwire.community.models import Member
from tests.community_data import PASSWORD, make_member

pytest_plugins = ["tests.community_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\x1b[31mAda\x1b[0m", "[31mAda[0m"),  # tried: terminal escape codes
        ("\u202eecilA", "ecilA"),  # tried: a right-to-left override
        ("Ada\u2066 \u2069Lovelace\n", "Ada Lovelace"),  # tried: isolates and a line break
    ],
)
def test_a_display_name_is_saved_without_control_or_bidi_characters(typed: str, kept: str) -> None:
    user = make_member("ada", password=False)
    client = Client()
    client.force_login(user)
    response = client.post("/settings/profile", {"display_name": typed, "show_upvotes": ""})
    assert response.status_code == 302
    assert Member.objects.get(user=user).display_name == kept


@pytest.mark.parametrize("name", ["arxiv", "ArXiv", "admin", "paperwire", "huggingface"])
def test_sentinel_usernames_cannot_be_registered(name: str, clear_cache: None) -> None:
    # Tried (the probe): signing up as "arxiv", then showing up as the arXiv listing's submitter.
    data = {
        "email": f"{name.lower()}1@example.org",
        "username": name,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = Client().post("/accounts/signup/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "Username can not be used" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__iexact=name).exists()
