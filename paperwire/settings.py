"""Every paperwire setting, read from the environment, each with a default.

README.md's settings table lists each PAPERWIRE_*/DATABASE_URL variable read here;
tests/test_settings_docs.py fails when one is missing from it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent

ENV_SETTINGS: dict[str, str] = {}  # name -> default, for the README check


def env(name: str, default: str) -> str:
    """Return the environment variable name, or default when it is unset or empty."""
    ENV_SETTINGS[name] = default
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a yes/no environment variable (1, true, yes, on count as yes)."""
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Return a comma-separated environment variable as a list of stripped items."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Where the SQLite database, secret key and search index files live.
DATA_DIR = Path(env("PAPERWIRE_DATA_DIR", "./data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Debug pages and tracebacks; never on in production.
DEBUG = env_bool("PAPERWIRE_DEBUG", False)


def _secret_key() -> str:
    """Return PAPERWIRE_SECRET_KEY, or a key generated once and kept in the data dir."""
    given = env("PAPERWIRE_SECRET_KEY", "")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Host names this instance answers to, comma-separated.
ALLOWED_HOSTS = env_list("PAPERWIRE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Origins trusted for CSRF on HTTPS deployments, e.g. https://papers.example.org.
CSRF_TRUSTED_ORIGINS = env_list("PAPERWIRE_CSRF_TRUSTED_ORIGINS", "")
# The public address of this instance, used in e-mails and feeds.
BASE_URL = env("PAPERWIRE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Papers per page on the feed pages.
PAGE_SIZE = int(env("PAPERWIRE_PAGE_SIZE", "30"))
# Web server worker processes started by `paperwire serve`.
WEB_WORKERS = int(env("PAPERWIRE_WEB_WORKERS", "2"))
# How much one imported Hugging Face upvote counts against one local upvote in trending.
HF_UPVOTE_WEIGHT = float(env("PAPERWIRE_HF_UPVOTE_WEIGHT", "1.0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "paperwire.papers",
    "paperwire.api",
    "paperwire.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "paperwire.urls"
WSGI_APPLICATION = "paperwire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in the data dir unless set, e.g. postgresql://user@127.0.0.1:5432/paperwire.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'paperwire.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; NORMAL is durable enough with WAL.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32000;",
        # Take the write lock at BEGIN so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app's static folders; no collectstatic step needed.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Log level: DEBUG, INFO, WARNING or ERROR.
    "root": {"handlers": ["console"], "level": env("PAPERWIRE_LOG_LEVEL", "WARNING")},
}
