"""The theme toggle: remembered per browser (a cookie) and per member (their account)."""

from __future__ import annotations

import pytest
from django.test import Client

from paperwire.appearance.models import ThemeChoice
from tests.community_data import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def test_a_visitor_s_theme_is_remembered_in_a_cookie_and_rendered_on_the_page() -> None:
    client = Client()
    assert 'data-theme="' not in client.get("/about").content.decode()  # the system's scheme
    response = client.post("/settings/theme", {"theme": "dark", "next": "/about"})
    assert response.status_code == 302 and response["Location"] == "/about"
    assert response.cookies["theme"].value == "dark"
    page = client.get("/about").content.decode()
    assert '<html lang="en" data-theme="dark">' in page
    assert 'value="light" aria-pressed="true"' in page  # the toggle now offers light
    assert not ThemeChoice.objects.exists()


def test_the_toggle_s_script_gets_an_empty_answer_and_auto_forgets_the_choice() -> None:
    client = Client()
    quiet = client.post("/settings/theme", {"theme": "light"}, HTTP_X_REQUESTED_WITH="fetch")
    assert quiet.status_code == 204 and quiet.cookies["theme"].value == "light"
    forgot = client.post("/settings/theme", {"theme": "auto"})
    assert forgot.cookies["theme"].value == "" and forgot["Location"] == "/"
    assert 'data-theme="' not in client.get("/about").content.decode()


def test_a_theme_that_is_not_light_or_dark_and_an_offsite_next_are_ignored() -> None:
    client = Client()
    response = client.post("/settings/theme", {"theme": "<script>", "next": "https://evil.example/"})
    assert response["Location"] == "/"  # tried an off-site next: back home instead
    assert response.cookies["theme"].value == ""  # tried a made-up theme: none is set
    assert client.get("/settings/theme").status_code == 405  # only POST changes it


def test_a_member_s_theme_follows_them_to_a_new_browser() -> None:
    ada = make_member("ada")
    laptop = Client()
    laptop.force_login(ada)
    laptop.post("/settings/theme", {"theme": "dark"})
    assert ThemeChoice.objects.get(user=ada).theme == "dark"

    phone = Client()  # no theme cookie yet
    assert 'data-theme="' not in phone.get("/about").content.decode()
    logged = phone.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert logged.status_code == 302
    assert '<html lang="en" data-theme="dark">' in phone.get("/about").content.decode()
    phone.cookies["theme"] = "light"  # this browser's own choice wins over the account's
    assert '<html lang="en" data-theme="light">' in phone.get("/about").content.decode()
