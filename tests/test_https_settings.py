"""An https:// PAPERWIRE_BASE_URL turns on Secure cookies, HSTS and the proxy's HTTPS header."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh process: settings are read from the environment once, at start.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
r = Client().get("/about", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "proxy": list(getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or []),
    "hsts": r.headers.get("Strict-Transport-Security", ""),
    "status": r.status_code,
}))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, object]:
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperwire.settings",
        "PAPERWIRE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_https_base_url_sends_secure_cookies_and_hsts(tmp_path: Path) -> None:
    seen = probe(tmp_path, PAPERWIRE_BASE_URL="https://papers.example.org")
    assert seen["session_secure"] and seen["csrf_secure"]
    assert seen["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # The request came through the proxy as HTTPS, so it carries HSTS.
    assert seen["status"] == 200
    assert str(seen["hsts"]).startswith("max-age=31536000")


def test_a_plain_http_base_url_keeps_cookies_usable_over_http(tmp_path: Path) -> None:
    seen = probe(tmp_path, PAPERWIRE_BASE_URL="http://127.0.0.1:8000")
    assert not seen["session_secure"] and not seen["csrf_secure"]
    assert seen["proxy"] == [] and seen["hsts"] == ""


def test_each_https_setting_can_be_turned_off_on_its_own(tmp_path: Path) -> None:
    seen = probe(
        tmp_path,
        PAPERWIRE_BASE_URL="https://papers.example.org",
        PAPERWIRE_SECURE_COOKIES="0",
        PAPERWIRE_PROXY_SSL_HEADER="0",
        PAPERWIRE_HSTS_SECONDS="0",
    )
    assert not seen["session_secure"] and seen["proxy"] == [] and seen["hsts"] == ""
