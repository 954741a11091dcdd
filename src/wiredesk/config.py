"""Every ``WIREDESK_*`` environment variable, with its default and help text.

``settings.py`` reads them through :func:`env`; ``docs/settings.md`` documents them, and a test
fails when a setting here is missing from the docs, so the documentation cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("WIREDESK_DATA_DIR", "./data", "Directory for the SQLite database and the "
            "generated secret key. Created if missing."),
    Setting("WIREDESK_DATABASE_URL", "", "Database URL. Empty means SQLite at "
            "$WIREDESK_DATA_DIR/wiredesk.sqlite3; use postgresql://user:pass@host:5432/name for "
            "PostgreSQL."),
    Setting("WIREDESK_SECRET_KEY", "", "Django secret key. Empty means one is generated on first "
            "start and kept in $WIREDESK_DATA_DIR/secret_key."),
    Setting("WIREDESK_SITE_NAME", "Wiredesk News", "The site's name, shown in the header and in "
            "the not-edited note."),
    Setting("WIREDESK_BASE_URL", "http://127.0.0.1:8000", "Public base URL of the site, used for "
            "absolute links in feeds, sitemaps, canonical links and the API. When unset, "
            "`wiredesk run`/`serve` with --host or --port imply http://HOST:PORT."),
    # The publisher's brand, by settings alone (docs/site.md, "The publisher's brand").
    Setting("WIREDESK_TIME_ZONE", "UTC", "Time zone the site shows times in (IANA name, e.g. "
            "Asia/Kolkata); feeds, sitemaps and the API stay in UTC."),
    Setting("WIREDESK_LANGUAGE", "", "The site's language (BCP 47, e.g. en-IN): the pages' lang "
            "attribute; empty: en-us."),
    Setting("WIREDESK_BRAND_COLOR", "", "Accent colour (CSS, e.g. #0b6e4f) of links, kickers and "
            "rules; empty keeps the default red."),
    Setting("WIREDESK_BRAND_FONT", "", "CSS font stack for headlines and text, e.g. "
            "'Palatino, serif' (system fonts only: the site loads nothing from other hosts)."),
    Setting("WIREDESK_LOGO", "", "Address of the logo shown in the masthead instead of the "
            "site's name in text (a static path such as /static/brand/logo.svg, or a URL)."),
    Setting("WIREDESK_FOOTER_LINKS", "", "Extra footer links, `Label|/path-or-url` separated by "
            "commas, e.g. `About us|/about/,Contact|mailto:desk@example.com`."),
    Setting("WIREDESK_TEMPLATE_DIR", "", "A folder of the publisher's own templates searched "
            "before Wiredesk's: a file there named like one of ours (site/base.html, "
            "site/_ad.html...) replaces it."),
    Setting("WIREDESK_ANALYTICS_HTML", "", "A file whose HTML (an analytics snippet) is placed "
            "at the end of every public page; empty: none."),
    Setting("WIREDESK_NOT_EDITED_NOTE", "This story has not been edited by {site} staff and is "
            "auto-generated from a syndicated feed.", "The note on every article; {site} is "
            "replaced by the site name. A source can override it with its own attribution note."),
    Setting("WIREDESK_ALLOWED_HOSTS", "", "Extra host names the site answers to, comma-separated "
            "(the base URL's host, localhost and 127.0.0.1 are always allowed)."),
    Setting("WIREDESK_DEBUG", "false", "Django debug mode. Never in production."),
    Setting("WIREDESK_LOG_LEVEL", "INFO", "Log level for the wiredesk loggers."),
    Setting("WIREDESK_POLL_INTERVAL", "300", "Default seconds between two polls of a source."),
    # Six, not two: a thread mostly waits (on a feed, or for the desk, which applies what the
    # waiting threads fetched together); benchmarks/feed_farm.py on PostgreSQL, 2,000 feeds at a
    # 60 s interval, 4 workers: 13.6 polls/s with 2 threads, 26.3 with 6, and no late poll.
    Setting("WIREDESK_WORKER_THREADS", "6", "Ingest threads per worker process (and in "
            "`wiredesk run`)."),
    Setting("WIREDESK_WORKER_TICK", "5", "Seconds the scheduler sleeps when no source is due."),
    Setting("WIREDESK_ENRICH", "true", "Run enrichment (entities, quotes, figures, places, "
            "topics) in a thread of each worker; `false` when a dedicated `wiredesk enrich "
            "--follow` process does it."),
    Setting("WIREDESK_FETCH_CONNECT_TIMEOUT", "10", "Seconds to wait for a feed server to "
            "accept the connection."),
    Setting("WIREDESK_FETCH_TOTAL_TIMEOUT", "30", "Seconds a whole fetch may take, redirects "
            "included."),
    Setting("WIREDESK_FETCH_MAX_BYTES", "10485760", "Largest feed accepted, in bytes after "
            "decompression; also the largest drop-folder file read (a larger one goes to "
            "error/)."),
    Setting("WIREDESK_FETCH_ALLOW_NETWORKS", "", "Comma-separated networks feeds may be fetched "
            "from although they are internal (e.g. 127.0.0.1/32 for a feed on this machine). "
            "Loopback, private, link-local and metadata addresses are refused otherwise."),
    Setting("WIREDESK_IFRAME_HOSTS", "www.youtube.com,youtube.com,www.youtube-nocookie.com,"
            "player.vimeo.com,www.dailymotion.com", "Hosts whose iframes (video embeds) survive "
            "sanitising; all other iframes are removed."),
    Setting("WIREDESK_IMPORT_MAX_BYTES", "", "Largest file `wiredesk import` reads, in bytes; "
            "empty means the same cap as WIREDESK_FETCH_MAX_BYTES. A larger file is refused "
            "without being read or stored (a Wiredesk export being restored is not capped)."),
    Setting("WIREDESK_PUSH_MAX_BYTES", "10485760", "Largest body accepted by the push endpoint "
            "(`POST /push/<source>/`), in bytes; a larger one is refused with 413 and not stored."),
    Setting("WIREDESK_FOLDER_SETTLE", "2", "Seconds a drop-folder file's size and modification "
            "time must stay unchanged before it is read (so a file still being uploaded is not "
            "read half-written)."),
    Setting("WIREDESK_RESPONSE_CACHE_MB", "64", "Megabytes of whole responses (pages, feeds, "
            "sitemaps, API) `wiredesk run` and `wiredesk serve` keep in memory and answer before "
            "Django runs, while nothing was published since; 0 turns it off."),
    Setting("WIREDESK_SERVER", "granian", "The HTTP server of `wiredesk run` and `wiredesk "
            "serve`: granian (written in Rust: no Python spent on HTTP itself) or waitress "
            "(pure Python, slower; the fallback)."),
    Setting("WIREDESK_PURGE_URLS", "", "Front caches to refresh on every published change, "
            "comma-separated base URLs of their refresh listeners (e.g. http://127.0.0.1:8080): "
            "each changed page, feed and API path is requested there once the change commits, "
            "which replaces the cached copy (see docs/deployment.md)."),
    Setting("WIREDESK_METRICS_TOKEN", "", "Bearer token for the Prometheus endpoint /metrics "
            "(`Authorization: Bearer TOKEN`); empty turns the endpoint off (404)."),
    Setting("WIREDESK_LOG_FORMAT", "plain", "`plain` (a line of text per message) or `json` "
            "(one JSON object per line, with the source, payload and story ids where known)."),
    # What the desk sends out (wiredesk.newsroom.outbox; see docs/operations.md).
    Setting("WIREDESK_WEBSUB_HUB", "", "A WebSub hub's URL (e.g. https://pubsubhubbub.appspot.com/"
            "): the feeds advertise it and the desk pings it when a feed changes. Empty: none."),
    Setting("WIREDESK_WEBHOOK_RETRY_BASE", "5", "Seconds before the first retry of a failed "
            "webhook delivery; each further retry waits up to twice as long (with jitter)."),
    Setting("WIREDESK_WEBHOOK_RETRY_CAP", "3600", "Longest wait between two attempts at a "
            "webhook delivery, in seconds."),
    Setting("WIREDESK_WEBHOOK_ATTEMPTS", "30", "Attempts at a webhook delivery before it is "
            "dead-lettered (kept in the admin, where it can be replayed)."),
    # Source health and its notices (wiredesk.newsroom.health; see docs/operations.md).
    Setting("WIREDESK_ALERT_EMAILS", "", "Comma-separated addresses that receive source health "
            "notices (a source silent for longer than usual, failing, disabled, recovered), once "
            "per incident. Empty: no e-mail."),
    Setting("WIREDESK_ALERT_WEBHOOK", "", "A URL that receives the same notices as JSON POSTs "
            "(through the outbox, with retries). Empty: none."),
    Setting("WIREDESK_ALERT_FAILURES", "5", "Failed fetches in a row after which a source's "
            "failing alert opens."),
    Setting("WIREDESK_DISABLE_AFTER_HOURS", "72", "Hours of failing after which a source is "
            "switched off, with a notice saying why and how to switch it on again."),
    Setting("WIREDESK_IDLE_FACTOR", "4", "A source is silent for longer than usual after this many "
            "times the gap its own history makes normal at that hour of the day."),
    Setting("WIREDESK_IDLE_MIN_HOURS", "2", "Never call a source silent before this many hours "
            "without a new item."),
    Setting("WIREDESK_EMAIL_HOST", "localhost", "SMTP server for notices."),
    Setting("WIREDESK_EMAIL_PORT", "25", "SMTP port."),
    Setting("WIREDESK_EMAIL_USER", "", "SMTP user name (empty: no login)."),
    Setting("WIREDESK_EMAIL_PASSWORD", "", "SMTP password."),
    Setting("WIREDESK_EMAIL_TLS", "false", "Use STARTTLS with the SMTP server."),
    Setting("WIREDESK_EMAIL_FROM", "wiredesk@localhost", "Sender address of notices."),
    Setting("WIREDESK_PAGE_SIZE", "20", "Stories per page in listings, feeds and the API."),
    # Pictures hosted by the desk (wiredesk.newsroom.images; see docs/site.md).
    Setting("WIREDESK_IMAGES", "true", "Fetch, verify and store the pictures of stories whose "
            "rights allow it, in a thread of each worker, and show them from the site's own "
            "origin; `false` shows no pictures from new stories."),
    Setting("WIREDESK_IMAGE_MAX_BYTES", "15728640", "Largest picture file fetched, in bytes; a "
            "larger one is refused (the story is published without it)."),
    Setting("WIREDESK_IMAGE_MAX_PIXELS", "40000000", "Largest picture accepted, in pixels "
            "(width x height, read from the file's header before decoding): a bigger canvas is "
            "refused as a decompression bomb."),
    Setting("WIREDESK_MEDIA_STORAGE", "", "Django storage class for pictures, e.g. "
            "storages.backends.s3.S3Storage (django-storages) for several machines. Empty: "
            "files under $WIREDESK_DATA_DIR/media, served by the site at /media/."),
    Setting("WIREDESK_MEDIA_STORAGE_OPTIONS", "{}", "JSON object of options for "
            "WIREDESK_MEDIA_STORAGE, e.g. {\"bucket_name\": \"news-pictures\", "
            "\"custom_domain\": \"img.example.com\"}."),
    # The publication gate (wiredesk.core.gate, newsroom/write/gating.py; see docs/publication.md).
    Setting("WIREDESK_GATE", "true", "Run the publication gate on every new story and version "
            "(thin, teaser, undated, stale, language and placeholder checks, item rights); "
            "`false` publishes whatever arrives in its source's mode."),
    Setting("WIREDESK_GATE_MIN_WORDS", "15", "Fewest words of body text for an article page; "
            "a shorter item becomes a headline linking to the original (held when it has no "
            "link)."),
    Setting("WIREDESK_GATE_STALE_HOURS", "48", "An item first seen more than this many hours "
            "after its date is published but kept off the top of the home page and the news "
            "sitemap."),
    Setting("WIREDESK_LANGUAGES", "en", "Languages the site publishes (ISO 639-1, "
            "comma-separated), detected from each item's text; an item in another language is "
            "held. Empty: every language."),
    Setting("WIREDESK_FEED_MODE", "excerpt", "Publication mode of a publisher feed (RSS, Atom, "
            "JSON Feed) read from the web or from disk whose source sets none: `excerpt`, "
            "`headline` or `full` (only with a licence for the full text)."),
    Setting("WIREDESK_REVIEW_RELEASE_MINUTES", "0", "Minutes after which an item held for "
            "review (by a check or a routing rule) that no editor approved or rejected is "
            "published by the desk; 0: never. A rule's own `release_after` wins; an item held "
            "for its rights is never released. See docs/rules.md."),
    # The admin's protection (wiredesk.newsroom.admin_access).
    Setting("WIREDESK_ADMIN_LOGIN_ATTEMPTS", "5", "Failed admin sign-ins after which the user "
            "and address are locked out (django-axes)."),
    Setting("WIREDESK_ADMIN_LOCKOUT_MINUTES", "15", "How long a lockout lasts after the last "
            "failed attempt; `wiredesk axes_reset_username NAME` lifts one at once."),
    Setting("WIREDESK_ADMIN_LOCKOUT_BY", "user+address", "What failures are counted against: "
            "`user+address` (the pair: an attacker elsewhere cannot lock the real user out), "
            "`address`, `user`, or several comma-separated (any one reaching the limit locks)."),
    Setting("WIREDESK_ADMIN_ALLOW_NETWORKS", "", "Comma-separated networks the admin may be "
            "reached from (e.g. 10.0.0.0/8,2001:db8::/32); any other address gets 403 on "
            "/admin/. Empty: from anywhere."),
    Setting("WIREDESK_TRUSTED_PROXIES", "", "Comma-separated addresses or networks of the "
            "reverse proxies in front of Wiredesk. Only from them is X-Forwarded-For believed, "
            "for the client's address used by login throttling and the admin's networks."),
    # Deployment behind TLS (see docs/deployment.md).
    Setting("WIREDESK_SSL_REDIRECT", "false", "Redirect every plain-HTTP request to HTTPS "
            "(behind a proxy, set WIREDESK_PROXY_SSL_HEADER too, or every request looks plain)."),
    Setting("WIREDESK_PROXY_SSL_HEADER", "", "The header and value by which the reverse proxy "
            "says the request came over HTTPS, e.g. `X-Forwarded-Proto: https`. Set it only "
            "behind a proxy that always sets or strips that header."),
    Setting("WIREDESK_HSTS_SECONDS", "0", "Strict-Transport-Security max-age in seconds "
            "(e.g. 31536000); 0 sends no HSTS header."),
    Setting("WIREDESK_HSTS_SUBDOMAINS", "false", "Add includeSubDomains to the HSTS header."),
    Setting("WIREDESK_HSTS_PRELOAD", "false", "Add preload to the HSTS header (only once the "
            "domain is submitted to the browsers' preload list; hard to undo)."),
    Setting("WIREDESK_SECURE_COOKIES", "auto", "Send the session and CSRF cookies over HTTPS "
            "only: `true`, `false`, or `auto` (when WIREDESK_BASE_URL starts with https://)."),
    Setting("WIREDESK_SECRET_KEY_FALLBACKS", "", "Comma-separated previous secret keys, still "
            "accepted after WIREDESK_SECRET_KEY is rotated: sessions stay valid and push HMAC "
            "keys stored under an old key can still be read, until they are re-issued."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def env(name: str) -> str:
    """The value of a documented setting: the environment's, else its default."""
    return os.environ.get(name, _BY_NAME[name].default).strip()


def env_bool(name: str) -> bool:
    return env(name).lower() in {"1", "true", "yes", "on"}


def env_int(name: str) -> int:
    return int(env(name))


def env_list(name: str) -> list[str]:
    return [part.strip() for part in env(name).split(",") if part.strip()]
