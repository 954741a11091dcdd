"""Django settings, all from ``WIREDESK_*`` environment variables (see :mod:`wiredesk.config`)."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext

from wiredesk.config import env, env_bool, env_int, env_list

# Lets admin and queryset classes be subscripted at run time, as the type checker wants them.
django_stubs_ext.monkeypatch()

DATA_DIR = Path(env("WIREDESK_DATA_DIR")).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, else one generated once and kept in the data directory."""
    configured = env("WIREDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("WIREDESK_DEBUG")

WIREDESK_SITE_NAME = env("WIREDESK_SITE_NAME")
WIREDESK_BASE_URL = env("WIREDESK_BASE_URL").rstrip("/")
WIREDESK_NOT_EDITED_NOTE = env("WIREDESK_NOT_EDITED_NOTE")
WIREDESK_POLL_INTERVAL = env_int("WIREDESK_POLL_INTERVAL")
WIREDESK_WORKER_THREADS = env_int("WIREDESK_WORKER_THREADS")
WIREDESK_WORKER_TICK = float(env("WIREDESK_WORKER_TICK"))
WIREDESK_ENRICH = env_bool("WIREDESK_ENRICH")
WIREDESK_FETCH_CONNECT_TIMEOUT = float(env("WIREDESK_FETCH_CONNECT_TIMEOUT"))
WIREDESK_FETCH_TOTAL_TIMEOUT = float(env("WIREDESK_FETCH_TOTAL_TIMEOUT"))
WIREDESK_FETCH_MAX_BYTES = env_int("WIREDESK_FETCH_MAX_BYTES")
WIREDESK_FETCH_ALLOW_NETWORKS = env_list("WIREDESK_FETCH_ALLOW_NETWORKS")
WIREDESK_PUSH_MAX_BYTES = env_int("WIREDESK_PUSH_MAX_BYTES")
WIREDESK_FOLDER_SETTLE = float(env("WIREDESK_FOLDER_SETTLE"))
WIREDESK_IFRAME_HOSTS = env_list("WIREDESK_IFRAME_HOSTS")
WIREDESK_PAGE_SIZE = env_int("WIREDESK_PAGE_SIZE")

_base_host = urlsplit(WIREDESK_BASE_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = sorted({_base_host, "localhost", "127.0.0.1", "[::1]",
                        *env_list("WIREDESK_ALLOWED_HOSTS")})
CSRF_TRUSTED_ORIGINS = [WIREDESK_BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "wiredesk.newsroom",
    "wiredesk.site",
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

ROOT_URLCONF = "wiredesk.urls"
WSGI_APPLICATION = "wiredesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wiredesk.site.context.site",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env("WIREDESK_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'wiredesk.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wiredesk",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing directory otherwise
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = WIREDESK_BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # One handler, on the root logger: a library calling logging.basicConfig() (waitress does
    # when it starts serving) then finds it and adds no second one, so no line is printed twice.
    # Other libraries' loggers stay at WARNING; ours at WIREDESK_LOG_LEVEL.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"wiredesk": {"level": env("WIREDESK_LOG_LEVEL")}},
}
