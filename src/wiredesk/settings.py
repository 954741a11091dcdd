"""Django settings, all from ``WIREDESK_*`` environment variables (see :mod:`wiredesk.config`)."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext

from wiredesk.config import env, env_bool, env_int, env_list

# Lets admin and queryset classes be subscripted at run time, as the type checker wants them.
django_stubs_ext.monkeypatch()

DATA_DIR = Path(env("WIREDESK_DATA_DIR")).expanduser().resolve()
# Only Wiredesk's user may look inside: it holds the database and the secret key. (A folder that
# already exists keeps the modes its owner gave it; the files in it are made private below.)
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

# Metrics from every long-running process of the desk (`run`, `serve` and its web processes,
# `worker`: the CLI sets WIREDESK_METRICS_FILES for them), summed at scrape
# (wiredesk.newsroom.metrics): each writes its counters under this folder. Set before
# prometheus-client is first imported, which is when it decides how to store values. Another
# WSGI server should set PROMETHEUS_MULTIPROC_DIR itself.
if os.environ.get("WIREDESK_METRICS_FILES") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(DATA_DIR / "metrics")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)


def _private_file(path: Path) -> bool:
    """Create ``path`` empty and readable by its owner only, atomically (no moment when it is
    readable by others); an existing file loses any group/other access. True if created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return True
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return False


def _secret_key() -> str:
    """The configured key, else one generated once and kept in the data directory."""
    configured = env("WIREDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if _private_file(key_file) or not key_file.read_text().strip():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Keys used before a rotation: still accepted for sessions and signatures, and still able to read
# secrets encrypted under them (wiredesk.newsroom.secrets) until those are re-issued.
SECRET_KEY_FALLBACKS = env_list("WIREDESK_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("WIREDESK_DEBUG")

WIREDESK_SITE_NAME = env("WIREDESK_SITE_NAME")
WIREDESK_BASE_URL = env("WIREDESK_BASE_URL").rstrip("/")
WIREDESK_NOT_EDITED_NOTE = env("WIREDESK_NOT_EDITED_NOTE")
WIREDESK_TIME_ZONE = env("WIREDESK_TIME_ZONE") or "UTC"
WIREDESK_LANGUAGE = env("WIREDESK_LANGUAGE")
WIREDESK_BRAND_COLOR = env("WIREDESK_BRAND_COLOR")
WIREDESK_BRAND_FONT = env("WIREDESK_BRAND_FONT")
WIREDESK_LOGO = env("WIREDESK_LOGO")
WIREDESK_FOOTER_LINKS = env_list("WIREDESK_FOOTER_LINKS")
WIREDESK_TEMPLATE_DIR = env("WIREDESK_TEMPLATE_DIR")
WIREDESK_ANALYTICS_HTML = (Path(env("WIREDESK_ANALYTICS_HTML")).read_text()
                           if env("WIREDESK_ANALYTICS_HTML") else "")
WIREDESK_POLL_INTERVAL = env_int("WIREDESK_POLL_INTERVAL")
WIREDESK_WORKER_THREADS = env_int("WIREDESK_WORKER_THREADS")
WIREDESK_WORKER_TICK = float(env("WIREDESK_WORKER_TICK"))
WIREDESK_ENRICH = env_bool("WIREDESK_ENRICH")
WIREDESK_FETCH_CONNECT_TIMEOUT = float(env("WIREDESK_FETCH_CONNECT_TIMEOUT"))
WIREDESK_FETCH_TOTAL_TIMEOUT = float(env("WIREDESK_FETCH_TOTAL_TIMEOUT"))
WIREDESK_FETCH_MAX_BYTES = env_int("WIREDESK_FETCH_MAX_BYTES")
WIREDESK_IMPORT_MAX_BYTES = (env_int("WIREDESK_IMPORT_MAX_BYTES")
                             if env("WIREDESK_IMPORT_MAX_BYTES") else WIREDESK_FETCH_MAX_BYTES)
WIREDESK_FETCH_ALLOW_NETWORKS = env_list("WIREDESK_FETCH_ALLOW_NETWORKS")
WIREDESK_PUSH_MAX_BYTES = env_int("WIREDESK_PUSH_MAX_BYTES")
WIREDESK_FOLDER_SETTLE = float(env("WIREDESK_FOLDER_SETTLE"))
WIREDESK_IFRAME_HOSTS = env_list("WIREDESK_IFRAME_HOSTS")
WIREDESK_PAGE_SIZE = env_int("WIREDESK_PAGE_SIZE")
WIREDESK_IMAGES = env_bool("WIREDESK_IMAGES")
WIREDESK_IMAGE_MAX_BYTES = env_int("WIREDESK_IMAGE_MAX_BYTES")
WIREDESK_IMAGE_MAX_PIXELS = env_int("WIREDESK_IMAGE_MAX_PIXELS")
WIREDESK_ADMIN_ALLOW_NETWORKS = env_list("WIREDESK_ADMIN_ALLOW_NETWORKS")
WIREDESK_ADMIN_LOCKOUT_MINUTES = env_int("WIREDESK_ADMIN_LOCKOUT_MINUTES")
WIREDESK_TRUSTED_PROXIES = env_list("WIREDESK_TRUSTED_PROXIES")
WIREDESK_RESPONSE_CACHE_MB = env_int("WIREDESK_RESPONSE_CACHE_MB")
WIREDESK_PURGE_URLS = env_list("WIREDESK_PURGE_URLS")
WIREDESK_METRICS_TOKEN = env("WIREDESK_METRICS_TOKEN")
WIREDESK_WEBSUB_HUB = env("WIREDESK_WEBSUB_HUB").strip()
WIREDESK_ALERT_EMAILS = env_list("WIREDESK_ALERT_EMAILS")
WIREDESK_ALERT_WEBHOOK = env("WIREDESK_ALERT_WEBHOOK").strip()
WIREDESK_ALERT_FAILURES = env_int("WIREDESK_ALERT_FAILURES")
WIREDESK_DISABLE_AFTER_HOURS = float(env("WIREDESK_DISABLE_AFTER_HOURS"))
WIREDESK_IDLE_FACTOR = float(env("WIREDESK_IDLE_FACTOR"))
WIREDESK_IDLE_MIN_HOURS = float(env("WIREDESK_IDLE_MIN_HOURS"))
# Django's mail settings, for source health notices (wiredesk.newsroom.health.check).
EMAIL_HOST = env("WIREDESK_EMAIL_HOST")
EMAIL_PORT = env_int("WIREDESK_EMAIL_PORT")
EMAIL_HOST_USER = env("WIREDESK_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("WIREDESK_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("WIREDESK_EMAIL_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env("WIREDESK_EMAIL_FROM")
WIREDESK_WEBHOOK_RETRY_BASE = float(env("WIREDESK_WEBHOOK_RETRY_BASE"))
WIREDESK_WEBHOOK_RETRY_CAP = float(env("WIREDESK_WEBHOOK_RETRY_CAP"))
WIREDESK_WEBHOOK_ATTEMPTS = env_int("WIREDESK_WEBHOOK_ATTEMPTS")
WIREDESK_LOG_FORMAT = env("WIREDESK_LOG_FORMAT").strip().lower()
if WIREDESK_LOG_FORMAT not in ("plain", "json"):
    raise ValueError("WIREDESK_LOG_FORMAT must be plain or json")
WIREDESK_SERVER = env("WIREDESK_SERVER").strip().lower()
if WIREDESK_SERVER not in ("granian", "waitress"):
    raise ValueError("WIREDESK_SERVER must be granian or waitress")

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
    "axes",
    "wiredesk.newsroom",
    "wiredesk.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wiredesk.newsroom.admin_access.AdminNetworkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost: times what Django does for the view, by its URL name (wiredesk.newsroom.metrics).
    "wiredesk.newsroom.metrics.RequestMetrics",
]

# Login throttling (django-axes; see wiredesk.newsroom.admin_access).
AUTHENTICATION_BACKENDS = [
    "wiredesk.newsroom.admin_access.LoginThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
_LOCKOUT_PARTS = {"user": "username", "address": "ip_address"}


def _lockout_parameters() -> list[str | list[str]]:
    """WIREDESK_ADMIN_LOCKOUT_BY ("user+address", "address", ...) in django-axes' terms."""
    groups: list[str | list[str]] = []
    for group in env_list("WIREDESK_ADMIN_LOCKOUT_BY"):
        parts = [part.strip() for part in group.split("+")]
        if not parts or any(part not in _LOCKOUT_PARTS for part in parts):
            raise ValueError(f"WIREDESK_ADMIN_LOCKOUT_BY: {group!r} is not user, address or "
                             "user+address")
        names = [_LOCKOUT_PARTS[part] for part in parts]
        groups.append(names[0] if len(names) == 1 else names)
    return groups or [["username", "ip_address"]]


AXES_FAILURE_LIMIT = env_int("WIREDESK_ADMIN_LOGIN_ATTEMPTS")
AXES_COOLOFF_TIME = timedelta(minutes=WIREDESK_ADMIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = _lockout_parameters()
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "wiredesk.newsroom.admin_access.client_address_for_axes"
AXES_LOCKOUT_CALLABLE = "wiredesk.newsroom.admin_access.locked_out"
AXES_VERBOSE = False  # failures are logged by axes at WARNING anyway, without the noise

ROOT_URLCONF = "wiredesk.urls"
WSGI_APPLICATION = "wiredesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The publisher's own templates first (WIREDESK_TEMPLATE_DIR): one there replaces ours.
        "DIRS": [WIREDESK_TEMPLATE_DIR] if WIREDESK_TEMPLATE_DIR else [],
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
        # Its files are made private (0600) as connections open (wiredesk.newsroom.filemodes).
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Connections are kept (the pragmas run once per connection, not per request): opening
        # one per request was a fifth of a cached page's cost.
        config["CONN_MAX_AGE"] = 600
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {  # response bodies (wiredesk.site.http) and other short-lived values
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wiredesk",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Rendered teasers (wiredesk.site.fragments), 1-3 KB each: those of the ~10,000 stories
    # listed most recently, about 20 MB a web process.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wiredesk-fragments",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
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

# Pictures hosted by the desk (wiredesk.newsroom.images): files under the data folder, served at
# /media/ with a year's cache lifetime (names are content hashes), unless a storage class is set
# (django-storages' S3Storage for several machines; docs/site.md).
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": env("WIREDESK_MEDIA_STORAGE")
                or "django.core.files.storage.FileSystemStorage",
                "OPTIONS": json.loads(env("WIREDESK_MEDIA_STORAGE_OPTIONS") or "{}")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
_secure_cookies = env("WIREDESK_SECURE_COOKIES").lower()
SESSION_COOKIE_SECURE = (WIREDESK_BASE_URL.startswith("https://") if _secure_cookies == "auto"
                         else env_bool("WIREDESK_SECURE_COOKIES"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("WIREDESK_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check may speak plain HTTP
SECURE_HSTS_SECONDS = env_int("WIREDESK_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WIREDESK_HSTS_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("WIREDESK_HSTS_PRELOAD")


def _proxy_ssl_header() -> tuple[str, str] | None:
    """``X-Forwarded-Proto: https`` as Django's ("HTTP_X_FORWARDED_PROTO", "https")."""
    header, _, value = env("WIREDESK_PROXY_SSL_HEADER").partition(":")
    if not header.strip():
        return None
    if not value.strip():
        raise ValueError("WIREDESK_PROXY_SSL_HEADER must be 'Header-Name: value', e.g. "
                         "'X-Forwarded-Proto: https'")
    return "HTTP_" + header.strip().upper().replace("-", "_"), value.strip()


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "json": {"()": "wiredesk.logformat.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": WIREDESK_LOG_FORMAT}},
    # One handler, on the root logger: a library calling logging.basicConfig() (waitress does
    # when it starts serving) then finds it and adds no second one, so no line is printed twice.
    # Other libraries' loggers stay at WARNING; ours at WIREDESK_LOG_LEVEL.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"wiredesk": {"level": env("WIREDESK_LOG_LEVEL")}},
}
