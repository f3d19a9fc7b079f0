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
# Created private (0700): it holds the database, with sessions, password hashes and feed tokens.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

# Where the ONNX model, built from the installed weights on first use, is kept (one per machine).
MODEL_CACHE_DIR = Path(
    env("PAPERWIRE_MODEL_CACHE", str(Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache") / "paperwire"))
).expanduser()

# Debug pages and tracebacks; never on in production.
DEBUG = env_bool("PAPERWIRE_DEBUG", False)


def _secret_key() -> str:
    """Return PAPERWIRE_SECRET_KEY, or a key generated once and kept in the data dir."""
    given = env("PAPERWIRE_SECRET_KEY", "")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: two processes
        # starting at once on a new data dir agree on one key and never read a half-written one.
        tmp = DATA_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
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
# Most papers one ?format=bibtex|ris|csljson|md export of a list page holds (the first ones).
EXPORT_MAX_PAPERS = int(env("PAPERWIRE_EXPORT_MAX_PAPERS", "2000"))
# Web server worker processes started by `paperwire serve`.
WEB_WORKERS = int(env("PAPERWIRE_WEB_WORKERS", "2"))
# Threads in each web worker: requests (and slow clients) served at once per worker.
WEB_THREADS = int(env("PAPERWIRE_WEB_THREADS", "8"))
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
    "paperwire.ingest",
    "paperwire.community",
    "paperwire.ratelimits",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.orcid",
    "paperwire.digests",
    "paperwire.search",
    "paperwire.feeds",
    "paperwire.web",
    "paperwire.appearance",
    "paperwire.citations",
    "paperwire.portability",
    "paperwire.personal",
    "paperwire.pagecache",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and every view: NUL bytes refused, HEAD answered, API errors as JSON.
    "paperwire.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees the member and its answers still pass the CSRF and session middleware.
    "paperwire.pagecache.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "paperwire.urls"
WSGI_APPLICATION = "paperwire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each app keeps its templates; the site shell's come first (its allauth/layouts/base.html
        # replaces allauth's own).
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "paperwire.appearance.context_processors.theme",
                "paperwire.pagecache.middleware.csrf_sentinel",
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
    _sqlite = Path(DATABASES["default"]["NAME"])
    if not _sqlite.exists() and _sqlite.parent.is_dir():
        # Created empty and private (0600) before SQLite opens it: SQLite then gives its -wal and
        # -shm files the same mode, where it would otherwise make them all world-readable (0644).
        os.close(os.open(_sqlite, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel plans: a page runs short queries side by side with other readers' on few
    # cores, and starting parallel workers (~10 ms) cost a deep category page more than the
    # scan it split (6-11 ms alone, 17-24 ms in parallel at 2.5M papers; docs/decisions.md).
    _pg = DATABASES["default"].setdefault("OPTIONS", {})
    _pg["options"] = f"{_pg.get('options', '')} -c max_parallel_workers_per_gather=0".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app's static folders; no collectstatic step needed.
WHITENOISE_USE_FINDERS = True

# --- HTTPS: on by default whenever PAPERWIRE_BASE_URL is https:// --------------------------------
_HTTPS = BASE_URL.startswith("https://")
# Send the session and CSRF cookies over HTTPS only.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("PAPERWIRE_SECURE_COOKIES", _HTTPS)
# Seconds browsers remember to use HTTPS only (Strict-Transport-Security); 0 sends no header.
SECURE_HSTS_SECONDS = int(env("PAPERWIRE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
# Trust the reverse proxy's X-Forwarded-Proto header to tell an HTTPS request from a plain one.
# Only safe when a proxy always sets (or strips) it: turn off when clients reach paperwire directly.
if env_bool("PAPERWIRE_PROXY_SSL_HEADER", _HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirect plain-HTTP requests to HTTPS (behind a proxy the proxy usually does this already).
SECURE_SSL_REDIRECT = env_bool("PAPERWIRE_SSL_REDIRECT", False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Ingestion: arXiv query API, OAI-PMH, Hugging Face daily papers, and the daily schedule ---
# Base URLs of the upstream services.
ARXIV_API_URL = env("PAPERWIRE_ARXIV_API_URL", "https://export.arxiv.org/api/query")
OAI_URL = env("PAPERWIRE_OAI_URL", "https://oaipmh.arxiv.org/oai")
HF_URL = env("PAPERWIRE_HF_URL", "https://huggingface.co")
# Seconds between two requests to arXiv (its terms ask for at least 3), and to Hugging Face.
ARXIV_DELAY = float(env("PAPERWIRE_ARXIV_DELAY", "3"))
HF_DELAY = float(env("PAPERWIRE_HF_DELAY", "1"))
# Retries of a request after a timeout, network error, 5xx or 429, and the first back-off in
# seconds (doubled each retry; a Retry-After header wins).
INGEST_RETRIES = int(env("PAPERWIRE_INGEST_RETRIES", "5"))
INGEST_BACKOFF = float(env("PAPERWIRE_INGEST_BACKOFF", "5"))
# Seconds before one request is given up as timed out.
INGEST_TIMEOUT = float(env("PAPERWIRE_INGEST_TIMEOUT", "60"))
# The User-Agent sent upstream: who runs this instance and where.
INGEST_USER_AGENT = env("PAPERWIRE_USER_AGENT", f"paperwire/0.1 (self-hosted daily-papers hub; +{BASE_URL})")
# The daily ingestion run by `paperwire serve` and `paperwire worker`: the arXiv categories
# followed, the hour (UTC) after which each day's run starts, and the sources (arxiv, oai, hf).
INGEST_CATEGORIES = env_list("PAPERWIRE_INGEST_CATEGORIES", "cs.LG,cs.CV,cs.CL,cs.AI")
INGEST_HOUR = int(env("PAPERWIRE_INGEST_HOUR", "2"))
INGEST_SOURCES = env_list("PAPERWIRE_INGEST_SOURCES", "arxiv")
# Papers `paperwire import` writes in one transaction, with its checkpoint: a kill loses at most
# one batch's work (redone on the rerun); above 2,000 a batch gains under 5 % and holds locks longer.
IMPORT_BATCH = int(env("PAPERWIRE_IMPORT_BATCH", "2000"))
# Seconds between two passes of the background worker (ingestion, embedding, indexes, digests).
WORKER_INTERVAL = float(env("PAPERWIRE_WORKER_INTERVAL", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Log level: DEBUG, INFO, WARNING or ERROR.
    "root": {"handlers": ["console"], "level": env("PAPERWIRE_LOG_LEVEL", "WARNING")},
}


# --- Community: accounts (django-allauth), e-mail, votes, comments, submissions, rate limits ---

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # no vote, comment or submission before the address is confirmed
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # confirming is a POST: no GET changes state
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_USERNAME_VALIDATORS = "paperwire.community.members.username_validators"
# Names that look like the site, its staff or a source speaking (any letter case). "arxiv" is the
# submitter the API shows for papers from the arXiv listing itself.
ACCOUNT_USERNAME_BLACKLIST = [
    "arxiv", "huggingface", "hf", "paperwire", "admin", "administrator", "root", "staff",
    "moderator", "moderators", "system", "support", "security", "anonymous", "api", "www",
]  # fmt: skip
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[paperwire] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = BASE_URL.split("://", 1)[0]
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never join a social login to an account by e-mail alone


# --- E-mail transport (one copy; digests, confirmations and account mail all use it) ---------
# Outgoing mail as one URL: smtp://user:pass@host:587?tls=1 (STARTTLS), smtps://user:pass@host:465
# (TLS from the start), console:// (print to stdout, the default) or locmem:// (kept in memory).
EMAIL_URL = env("PAPERWIRE_EMAIL_URL", "console://")
# The From address of every message paperwire sends.
DEFAULT_FROM_EMAIL = env("PAPERWIRE_EMAIL_FROM", "paperwire <paperwire@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def parse_email_url(url: str) -> dict[str, object]:
    """Return Django's EMAIL_* settings for a PAPERWIRE_EMAIL_URL."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url if "://" in url else f"{url}://")  # "console" alone means console://
    backends = {"console": "console", "locmem": "locmem", "dummy": "dummy", "smtp": "smtp", "smtps": "smtp"}
    if parts.scheme not in backends:
        known = ", ".join(backends)
        raise ValueError(f"PAPERWIRE_EMAIL_URL: unknown scheme {parts.scheme!r} (one of {known})")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    yes = {"1", "true", "yes", "on"}
    return {
        "EMAIL_BACKEND": f"django.core.mail.backends.{backends[parts.scheme]}.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in yes,
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "0").lower() in yes,
        # Seconds before a silent SMTP server counts as a temporary failure (never wait forever).
        "EMAIL_TIMEOUT": int(query.get("timeout", "30")),
    }


_email = parse_email_url(EMAIL_URL)
EMAIL_BACKEND = str(_email["EMAIL_BACKEND"])
EMAIL_HOST = str(_email["EMAIL_HOST"])
EMAIL_PORT = int(str(_email["EMAIL_PORT"]))
EMAIL_HOST_USER = str(_email["EMAIL_HOST_USER"])
EMAIL_HOST_PASSWORD = str(_email["EMAIL_HOST_PASSWORD"])
EMAIL_USE_TLS = bool(_email["EMAIL_USE_TLS"])
EMAIL_USE_SSL = bool(_email["EMAIL_USE_SSL"])
EMAIL_TIMEOUT = int(str(_email["EMAIL_TIMEOUT"]))

# GitHub and ORCID sign-in appear when their OAuth keys are set (see README).
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
_github = (env("PAPERWIRE_GITHUB_CLIENT_ID", ""), env("PAPERWIRE_GITHUB_SECRET", ""))
if all(_github):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": _github[0], "secret": _github[1]}],
        "SCOPE": ["user:email"],
    }
_orcid = (env("PAPERWIRE_ORCID_CLIENT_ID", ""), env("PAPERWIRE_ORCID_SECRET", ""))
if all(_orcid):
    SOCIALACCOUNT_PROVIDERS["orcid"] = {"APPS": [{"client_id": _orcid[0], "secret": _orcid[1]}]}

# Rate limits count in Django's cache. The cache is a database table, not per-process memory:
# `paperwire serve` runs several gunicorn workers, and a per-process cache would give each
# worker its own count (limits multiplied by the worker count, and reset on every restart).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "paperwire_cache",
        "OPTIONS": {"MAX_ENTRIES": 50000},
    },
    # Anonymous readers' pages, in each worker's memory, keyed on the shared generation.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "paperwire-pages",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(env("PAPERWIRE_PAGE_CACHE_ENTRIES", "500"))},
    },
}
# Reverse proxies in front of paperwire that append the client's address to X-Forwarded-For.
# 0 (no proxy): limits key on the connection's address. Behind one proxy set 1: otherwise every
# client shares the proxy's address, and one client's mistakes lock out all the others.
TRUSTED_PROXY_COUNT = int(env("PAPERWIRE_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # allauth's own limits (logins, sign-ups)
# Serve anonymous readers' day/week/month pages, feeds and /api/daily_papers from the page cache.
PAGE_CACHE = env_bool("PAPERWIRE_PAGE_CACHE", True)
PAGE_CACHE_ALIAS = "pages"
# Rate limits, "N/period" with period s, m, h or d (e.g. 30/m): sign-ups per IP address,
# logins per IP address, submissions, votes and comments per member, and searches per IP
# address (each search, and those that embed the query: hybrid or vector mode).
RATE_LIMITS = {
    "signup": env("PAPERWIRE_RATE_LIMIT_SIGNUP", "10/h"),
    "login": env("PAPERWIRE_RATE_LIMIT_LOGIN", "30/m"),
    "submit": env("PAPERWIRE_RATE_LIMIT_SUBMIT", "20/d"),
    "vote": env("PAPERWIRE_RATE_LIMIT_VOTE", "120/m"),
    "comment": env("PAPERWIRE_RATE_LIMIT_COMMENT", "10/m"),
    "search": env("PAPERWIRE_RATE_LIMIT_SEARCH", "120/m"),
    "search_embed": env("PAPERWIRE_RATE_LIMIT_SEARCH_EMBED", "30/m"),
}
ACCOUNT_RATE_LIMITS = {
    "signup": RATE_LIMITS["signup"] + "/ip",
    "login": RATE_LIMITS["login"] + "/ip",
    "login_failed": "10/m/ip,5/5m/key",  # allauth's default: wrong passwords per IP and per account
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_email": "1/m/user",
}
# A paper may be submitted while its first version is at most this many days old.
SUBMIT_MAX_AGE_DAYS = int(env("PAPERWIRE_SUBMIT_MAX_AGE_DAYS", "14"))
# The longest comment, in characters of Markdown.
COMMENT_MAX_CHARS = int(env("PAPERWIRE_COMMENT_MAX_CHARS", "10000"))
# Trending gravity: score = (upvotes + HF weight x HF upvotes) / (age in hours + 2) ^ gravity.
TRENDING_GRAVITY = float(env("PAPERWIRE_TRENDING_GRAVITY", "1.8"))

# --- Digests: subscriptions and e-mail digests (paperwire.digests) ---------------------------
# Papers in each digest, the period's top trending ones.
DIGEST_PAPERS = int(env("PAPERWIRE_DIGEST_PAPERS", "10"))
# Hour (UTC, 0-23) after which the background worker (`paperwire serve`, `worker`) sends the due digests.
DIGEST_HOUR = int(env("PAPERWIRE_DIGEST_HOUR", "7"))
# Whether the background worker (`paperwire serve`, `paperwire worker`) sends the due digests.
DIGEST_IN_SERVE = env_bool("PAPERWIRE_DIGEST_IN_SERVE", True)
# Hours a confirmation link stays valid.
DIGEST_CONFIRM_HOURS = int(env("PAPERWIRE_DIGEST_CONFIRM_HOURS", "72"))
# Days an unsubscribe link in a sent message stays valid.
DIGEST_UNSUBSCRIBE_DAYS = int(env("PAPERWIRE_DIGEST_UNSUBSCRIBE_DAYS", "180"))
# Subscription requests accepted per client address, and per e-mail address, per window.
DIGEST_SUBSCRIBE_LIMIT = int(env("PAPERWIRE_DIGEST_SUBSCRIBE_LIMIT", "5"))
# The rate-limit window in seconds.
DIGEST_SUBSCRIBE_WINDOW = int(env("PAPERWIRE_DIGEST_SUBSCRIBE_WINDOW", "3600"))
# Tries per message on temporary SMTP failures (4xx, lost connection) before it waits for a later run.
DIGEST_RETRIES = int(env("PAPERWIRE_DIGEST_RETRIES", "3"))
# Seconds before the first retry; each further retry waits twice as long.
DIGEST_RETRY_SECONDS = float(env("PAPERWIRE_DIGEST_RETRY_SECONDS", "2"))
# Permanent failures (5xx) in a row after which a subscription pauses.
DIGEST_MAX_BOUNCES = int(env("PAPERWIRE_DIGEST_MAX_BOUNCES", "3"))
# Seconds after which a claimed but unfinished send (a crashed worker elsewhere) is taken back.
DIGEST_CLAIM_TIMEOUT = int(env("PAPERWIRE_DIGEST_CLAIM_TIMEOUT", "900"))
# Messages sent over one SMTP connection before it is closed and reopened.
DIGEST_BATCH = int(env("PAPERWIRE_DIGEST_BATCH", "200"))
