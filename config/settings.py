"""Roundtable settings: one file, driven by environment variables.

Every variable is documented in the README. A bad value stops the process at start with a
message that names the variable, instead of failing later in a request.
"""

import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ROUNDTABLE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or os.environ.get("ROUNDTABLE_TESTING") == "1"


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # A fixed key is fine where nothing is secret: local runs and the test suite.
        SECRET_KEY = "insecure-roundtable-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if "://" not in origin:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries need a scheme, like https://example.com; got {origin!r}"
        )

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "channels",
    "crispy_forms",
    "crispy_bootstrap5",
    "live",
    "workshops",
    "breakouts",
    "calls",
    "followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last but one, as django-axes asks: it turns a locked-out log-in into the 429 page.
    "axes.middleware.AxesMiddleware",
    # Innermost and sync-only: every middleware above runs on one thread (config/sync_chain.py).
    "config.sync_chain.SyncMiddlewareChain",
]

ROOT_URLCONF = "config.urls"

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

ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

# Database: SQLite by default (zero services), PostgreSQL through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if not _db.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL has an unknown scheme: {DATABASE_URL!r}")
    # Under ASGI each request runs on a thread of its own, so persistent connections pile up,
    # one per concurrent request, until PostgreSQL refuses clients ("too many clients"). With
    # DATABASE_POOL_SIZE set, each process borrows from a psycopg pool of at most that size.
    DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
    # Sockets that open read who they are and their snapshot on this many threads of their
    # own (live/consumer.py); 0 keeps Channels' one shared database thread.
    LIVE_CONNECT_THREADS = env_int("LIVE_CONNECT_THREADS", 0)
    if DATABASE_POOL_SIZE > 0 and _db["ENGINE"] == "django.db.backends.postgresql":
        _db.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": DATABASE_POOL_SIZE, "timeout": 20,
        }
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "roundtable.sqlite3",
        # Persistent connections: reopening SQLite on every call costs ~200x on the live path.
        "CONN_MAX_AGE": None,
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers work while the one writer commits; IMMEDIATE transactions and a
        # busy timeout make concurrent writers queue instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Browser tests serve the app from a second process, which must see the same file (it is
    # handed the name); one file per test run, so two runs side by side never share one.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-roundtable-{os.getpid()}.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: in-memory by default (one process), Redis through REDIS_URL (several processes).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}"
        )
    CHANNEL_LAYERS = {
        "default": {
            # Roundtable's hub holds one subscription per room per process, so the pub/sub
            # layer's at-most-once delivery is repaired by rev + sync (see docs/protocol.md).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("REDIS_PREFIX", "roundtable"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the throttles' counters (workshops/throttle.py), so every process must share it:
# Redis when REDIS_URL is set, else the one process's memory. Tests keep their own counters.
if REDIS_URL and not TESTING:
    CACHES = {
        "default": {
            # Django's RedisCache, with one Redis client per process (config/cache.py).
            "BACKEND": "config.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "roundtable") + ":cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out client or account before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workshops:list"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # `collectstatic` names every file by its content hash (live.3f2a….js), so a page always
    # loads the scripts it was rendered with: a deploy never mixes an old live.js with a new
    # protocol, and browsers may cache the files forever. Pages need the manifest that
    # collectstatic writes (`make run` and the test session run it); with DEBUG on, Django
    # links the unhashed names instead and WhiteNoise serves them from the source folders.
    # config/storage.py: WhiteNoise's CompressedManifestStaticFilesStorage, module imports too.
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
# Outside DEBUG only the hashed copies exist, so nothing can load a file by its plain name.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Roundtable <roundtable@localhost>")

# Sessions carry participants (no account), so keep them for a long workshop day and beyond.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

# Production hardening; `manage.py check --deploy` passes with DEBUG=0 and the README's variables.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Pages carry no inline script or style attribute
# (../shared/DESIGN.md), so nothing inline is allowed; config.csp adds this site's ws:/wss:
# origin to connect-src per request. data: images are Bootstrap's CSS icons (select arrows,
# close buttons, the navbar toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Calls (README, "Calls in the rooms"): the Jitsi Meet server whose calls the rooms embed.
# No default: without it no page loads anything from another origin. https only, except a
# server on this machine (http://127.0.0.1:port), which the tests' stand-in server is.
JITSI_URL = os.environ.get("JITSI_URL", "").strip().rstrip("/")
if JITSI_URL:
    _jitsi = re.fullmatch(r"(https://[A-Za-z0-9.-]+|http://(?:127\.0\.0\.1|localhost))(:\d{1,5})?",
                          JITSI_URL)
    if _jitsi is None:
        raise ImproperlyConfigured(
            "JITSI_URL must be the Jitsi Meet server's address, like https://meet.example.org "
            f"(https, no path; http only for 127.0.0.1 or localhost); got {JITSI_URL!r}"
        )

# Throttles (README, "Security"). The client is REMOTE_ADDR: behind a reverse proxy, run
# Daphne with --proxy-headers so that it is the browser's address, not the proxy's.
# Log-in (django-axes): AXES_FAILURE_LIMIT failures for one account, or from one address,
# lock that account or address out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "workshops.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "workshops.throttle.login_locked_out"
AXES_VERBOSE = False
RATELIMIT_IP_META_KEY = "workshops.throttle.client_ip"
# Guesses per client address (django-ratelimit rates: count/period, period in s, m, h or d).
# Only unknown join codes count: a whole office joining from one address is never slowed.
THROTTLE_JOIN_GUESSES = os.environ.get("THROTTLE_JOIN_GUESSES", "60/10m")
THROTTLE_SIGNUP = os.environ.get("THROTTLE_SIGNUP", "10/h")
THROTTLE_PASSWORD_RESET = os.environ.get("THROTTLE_PASSWORD_RESET", "10/h")
THROTTLE_LINK_EMAILS = os.environ.get("THROTTLE_LINK_EMAILS", "10/h")
for _name in (
    "THROTTLE_JOIN_GUESSES", "THROTTLE_SIGNUP", "THROTTLE_PASSWORD_RESET", "THROTTLE_LINK_EMAILS"
):
    if not re.fullmatch(r"\d+/\d*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(
            f"{_name} must be a rate like 60/10m (count/period, period in s, m, h or d); "
            f"got {globals()[_name]!r}"
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
