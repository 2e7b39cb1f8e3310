"""Django settings for Quarry, read once from the environment through helpers that fail loudly."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QUARRY_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    """Return the boolean value of an environment variable, refusing anything ambiguous."""
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def envint(name: str, default: int) -> int:
    """Return the integer value of an environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def checked_origins(name: str, origins: list[str]) -> list[str]:
    """Return origins as browsers write them, refusing any that is not scheme://host[:port]."""
    checked = []
    for origin in origins:
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "@" in parts.netloc
            or parts.path.strip("/")
            or parts.query
            or parts.fragment
        ):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin (use scheme://host[:port], "
                "e.g. https://app.example.com)"
            )
        checked.append(f"{parts.scheme}://{parts.netloc}".lower())
    return checked


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # A local console needs no shared secret; persist one so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
    SECRET_KEY = key_file.read_text().strip()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Served only to this machine (the embedded default): plain HTTP on loopback, one person.
LOOPBACK_ONLY = all(host in ("127.0.0.1", "localhost", "[::1]", "::1") for host in ALLOWED_HOSTS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "console",
    "console.catalog",
    "console.jobs",
    "console.web",
    "console.api",
    "console.iam",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "console.web.middleware.BigQueryErrorMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

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

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'quarry.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write the same file: WAL lets readers proceed during a
    # write, IMMEDIATE transactions avoid upgrade deadlocks, and the timeout rides out contention.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so the worker process can open the test database too.
    test_name = Path(DATABASES["default"]["NAME"]).with_name("test-quarry.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(test_name)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:index"
# Requests to the REST API without an API key act as roles/bigquery.admin only when this is on.
# The embedded default (loopback only) turns it on, and `serve` says so; anything else must opt in.
QUARRY_ANONYMOUS_ACCESS = envbool("QUARRY_ANONYMOUS_ACCESS", "true" if LOOPBACK_ONLY else "false")
# Sign-in attempts that fail, per username and per client address, before a pause.
QUARRY_SIGN_IN_ATTEMPTS = envint("QUARRY_SIGN_IN_ATTEMPTS", 10)
QUARRY_SIGN_IN_LOCKOUT_S = envint("QUARRY_SIGN_IN_LOCKOUT_S", 15 * 60)

# Cookies: HttpOnly session, SameSite=Lax everywhere; Secure whenever the console is served to
# other machines (they must reach it over HTTPS), not on the plain-HTTP loopback default.
SECURE_COOKIES = envbool("QUARRY_SECURE_COOKIES", "false" if DEBUG or LOOPBACK_ONLY else "true")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("QUARRY_SESSION_AGE_S", 14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SECURE_COOKIES:
    SECURE_HSTS_SECONDS = envint("QUARRY_HSTS_SECONDS", 3600)
    SECURE_SSL_REDIRECT = envbool("QUARRY_SSL_REDIRECT", "false")
    if envbool("QUARRY_BEHIND_TLS_PROXY", "false"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# Web pages on these origins may call the REST API (with CORS); pages anywhere else are refused.
QUARRY_TRUSTED_ORIGINS = checked_origins(
    "QUARRY_TRUSTED_ORIGINS", envlist("QUARRY_TRUSTED_ORIGINS", "")
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "collected-static"

QUARRY_STORAGE_DIR = Path(os.environ.get("QUARRY_STORAGE_DIR", VAR_DIR / "storage")).resolve()
# gs://bucket/object in loads and extracts is this directory's bucket/object (docs/clients.md).
QUARRY_BUCKETS_DIR = Path(os.environ.get("QUARRY_BUCKETS_DIR", VAR_DIR / "buckets")).resolve()
QUARRY_DEFAULT_PROJECT = os.environ.get("QUARRY_DEFAULT_PROJECT", "local-project")
QUARRY_MAX_UPLOAD_BYTES = envint("QUARRY_MAX_UPLOAD_BYTES", 1024 * 1024 * 1024)
# Per job, in DuckDB's words (a share of RAM or a size): two jobs, as `serve` runs by default,
# then stay within the 80% DuckDB would take for one.
QUARRY_DUCKDB_MEMORY_LIMIT = os.environ.get("QUARRY_DUCKDB_MEMORY_LIMIT", "40%").strip()
_memory = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%|[KMGT]i?B)", QUARRY_DUCKDB_MEMORY_LIMIT, re.I)
if _memory is None or (_memory[2] == "%" and not 0 < float(_memory[1]) <= 100):
    raise ImproperlyConfigured(
        f"QUARRY_DUCKDB_MEMORY_LIMIT={QUARRY_DUCKDB_MEMORY_LIMIT!r} is not a memory size "
        "(use a share of RAM up to 100%, such as 40%, or a size such as 4GB or 512MiB)"
    )
# A resumable upload no request touched for this long was abandoned; its bytes are removed.
QUARRY_UPLOAD_SESSION_IDLE_S = envint("QUARRY_UPLOAD_SESSION_IDLE_S", 24 * 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MOVIELENS_DIR = os.environ.get("MOVIELENS_DIR", "")

# `manage.py serve` records the broker it chose, so other commands (bq) reach the same one.
BROKER_URL_FILE = VAR_DIR / "broker-url"
REDIS_URL = os.environ.get("REDIS_URL") or (
    BROKER_URL_FILE.read_text().strip() if BROKER_URL_FILE.exists() else "redis://127.0.0.1:6379/0"
)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# One queue per catalog, named after a key kept in the catalog (console/jobs/queues.py); "quarry"
# means "not set": it is resolved from the catalog by every process that sends or reads jobs.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("QUARRY_QUEUE") or "quarry"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("QUARRY_JOB_TIME_LIMIT_S", 6 * 60 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A submission makes one attempt to reach the broker, and an unreachable host fails fast.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 0}
QUARRY_JOB_LEASE_S = envint("QUARRY_JOB_LEASE_S", 45)
QUARRY_SWEEP_S = envint("QUARRY_SWEEP_S", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
