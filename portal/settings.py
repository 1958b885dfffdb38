"""Settings, read from the environment and from `.env` beside manage.py.

Every name read here is documented in `.env.example` and README.md; they are a public contract.
With no `.env` at all the portal runs in development mode on its built-in sandbox API.
"""

import hashlib
import hmac
import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv
from pythonjsonlogger.core import RESERVED_ATTRS

from tickets.lib.values import as_flag

BASE_DIR = Path(__file__).resolve().parent.parent
# The real environment wins over .env, so a deployment can override a checked-out file.
load_dotenv(os.environ.get("ENV_FILE") or BASE_DIR / ".env", override=False)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    flag = as_flag(value, words=True)
    if flag is not None:
        return flag
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def env_float(
    name: str, default: float, minimum: float = 0, maximum: float = float("inf")
) -> float:
    value = env(name)
    try:
        number = float(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not minimum <= number <= maximum:  # NaN fails too
        bounds = (
            f"at least {minimum:g}"
            if maximum == float("inf")
            else (f"from {minimum:g} to {maximum:g}")
        )
        raise ImproperlyConfigured(f"{name}={value!r} must be {bounds}.")
    return number


def env_int(name: str, default: int, minimum: int = 0, maximum: float = float("inf")) -> int:
    number = env_float(name, default, minimum, maximum)
    if number != int(number):
        raise ImproperlyConfigured(f"{name}={env(name)!r} must be a whole number.")
    return int(number)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_rates(name: str, default: str) -> list[str]:
    """Throttle rates as tickets/abuse/throttles.py reads them ("20/h,240/d"); "off": none."""
    value = env(name) or default
    if value.lower() == "off":
        return []
    rates = [item.strip() for item in value.split(",") if item.strip()]
    for rate in rates:
        if not re.fullmatch(r"[1-9]\d*/([1-9]\d*)?[smhd]", rate):
            raise ImproperlyConfigured(
                f"{name}={value!r}: {rate!r} is not a rate; write count/period, the period in "
                "s, m, h or d with an optional number before it (20/h, 5/10m), comma-separated, "
                "or off."
            )
    return rates


DEBUG = env_bool("DEBUG", True)

DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-deploy"
SECRET_KEY = env("SECRET_KEY") or DEV_SECRET_KEY
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 32 characters or more when DEBUG is false."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The portal's own public address: used to reach the built-in sandbox, and the start of the link
# to a ticket's page that is mailed to its customer (Email, below).
# An empty PORTAL_URL= (as .env.example has it) is the default too, never "".
PORTAL_URL = (env("PORTAL_URL") or "http://127.0.0.1:8000").rstrip("/")

# --- The tickets API -------------------------------------------------------------------------
# The sandbox is the portal's built-in stand-in for the API, mounted at /sandbox/api/v2/.
SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", DEBUG)
if SANDBOX_ENABLED and not DEBUG:
    raise ImproperlyConfigured(
        "SANDBOX_ENABLED is for development: with DEBUG=false its public key would expose tickets."
    )
SANDBOX_API_EMAIL = "portal@sandbox.invalid"
SANDBOX_API_KEY = env("SANDBOX_API_KEY", "sandbox-key")

TICKETS_API_URL = env("TICKETS_API_URL").rstrip("/")
if not TICKETS_API_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TICKETS_API_URL must be set when DEBUG is false: production never files tickets "
            "into the built-in sandbox."
        )
    if not SANDBOX_ENABLED:
        raise ImproperlyConfigured("TICKETS_API_URL is empty and SANDBOX_ENABLED is false.")
    TICKETS_API_URL = f"{PORTAL_URL}/sandbox/api/v2"
elif not DEBUG and not TICKETS_API_URL.startswith("https://"):
    raise ImproperlyConfigured("TICKETS_API_URL must be https:// when DEBUG is false.")
if not DEBUG and not (env("TICKETS_API_EMAIL") and env("TICKETS_API_KEY")):
    raise ImproperlyConfigured(
        "TICKETS_API_EMAIL and TICKETS_API_KEY must be set when DEBUG is false."
    )
TICKETS_API_EMAIL = env("TICKETS_API_EMAIL") or SANDBOX_API_EMAIL
TICKETS_API_KEY = env("TICKETS_API_KEY") or SANDBOX_API_KEY
TICKETS_API_CONNECT_TIMEOUT = env_float("TICKETS_API_CONNECT_TIMEOUT", 3.05, 0.1, 60)
TICKETS_API_READ_TIMEOUT = env_float("TICKETS_API_READ_TIMEOUT", 20.0, 0.1, 300)
# The API's own limit: one request more in any minute and it bans the account.
API_LIMIT_PER_MINUTE = 300
# The portal's share of the account's requests a minute (the API allows 300 and bans the whole
# account for 20 minutes past that): the rest is left to the helpdesk's other integrations.
TICKETS_API_MAX_PER_MINUTE = env_int("TICKETS_API_MAX_PER_MINUTE", 200, 1, API_LIMIT_PER_MINUTE)
# Of that share, what background work (deliveries, the schema sync) leaves to staff look-ups.
TICKETS_API_RESERVE = env_int(
    "TICKETS_API_RESERVE",
    min(20, TICKETS_API_MAX_PER_MINUTE // 10),
    0,
    TICKETS_API_MAX_PER_MINUTE - 1,
)
# Of the background share, what reading the conversations on tickets' pages may take a minute.
TICKETS_API_FOLLOW_PER_MINUTE = env_int(
    "TICKETS_API_FOLLOW_PER_MINUTE",
    min(30, max(1, (TICKETS_API_MAX_PER_MINUTE - TICKETS_API_RESERVE) // 5)),
    1,
    TICKETS_API_MAX_PER_MINUTE,
)
# A ticket page shows the conversation it has without asking the API while it is this fresh.
TICKETS_CONVERSATION_FRESH_SECONDS = env_int("TICKETS_CONVERSATION_FRESH_SECONDS", 60, 5, 86400)
# How long after its last view a ticket's page is kept fresh by the worker.
TICKETS_CONVERSATION_FOLLOW_SECONDS = env_int(
    "TICKETS_CONVERSATION_FOLLOW_SECONDS", 30 * 60, 60, 7 * 86400
)
# How long a closed ticket's page shows its conversation; after that, its number and state only.
TICKETS_PAGE_CLOSED_DAYS = env_int("TICKETS_PAGE_CLOSED_DAYS", 90, 0, 3650)
# Suggest the helpdesk's public knowledge-base articles on the forms (kept in step by the worker).
TICKETS_ARTICLES = env_bool("TICKETS_ARTICLES", False)
# How often the worker asks the helpdesk what changed in its articles (a full pass once a day).
TICKETS_ARTICLES_SYNC_SECONDS = env_int("TICKETS_ARTICLES_SYNC_SECONDS", 600, 60, 86400)
# Days a filed (or cancelled) submission keeps what the person sent; then it is erased in place.
TICKETS_KEEP_CONTENT_DAYS = env_int("TICKETS_KEEP_CONTENT_DAYS", 30, 0, 3650)
# How long a ban answer stops every process (the API says 20 minutes; older docs say 48 hours).
TICKETS_API_BAN_SECONDS = env_int("TICKETS_API_BAN_SECONDS", 20 * 60, 1, 7 * 86400)
# When the API says this few of the account's requests are left, every process waits a minute.
TICKETS_API_LOW_WATER = env_int("TICKETS_API_LOW_WATER", 10, 0, API_LIMIT_PER_MINUTE // 2)
# How long a delivery or the schema sync waits for the governor's permit before it is put off
# (seconds); a killed worker's attempt is taken over after twice this and its exchanges.
TICKETS_API_BACKGROUND_WAIT = env_float("TICKETS_API_BACKGROUND_WAIT", 30, 1, 120)
# Where the governor counts requests when there is no REDIS_URL: a SQLite file every process of
# this machine shares.
TICKETS_API_RATE_FILE = Path(env("TICKETS_API_RATE_FILE") or BASE_DIR / "var" / "api-rate.sqlite3")

# The helpdesk's staff group ids (comma-separated): the staff list for assignees and followers is
# read from them alone. Empty: every user is read, page by page (fine for a small helpdesk).
TICKETS_API_STAFF_GROUPS = env_list("TICKETS_API_STAFF_GROUPS")

# The helpdesk's web address for agents (https://support.example.com): the staff confirmation
# links to the ticket there, at {TICKETS_HELPDESK_URL}/ticket/{id}, or where `{id}` stands in it.
# The API documents no agent address, so the pattern is the portal's. Empty: no link.
TICKETS_HELPDESK_URL = env("TICKETS_HELPDESK_URL")


def _is_web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # such as an unclosed [IPv6
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.username or parts.password)  # written into staff pages: no credentials
        and not re.search(r"\s", value)
    )


if TICKETS_HELPDESK_URL and not _is_web_address(TICKETS_HELPDESK_URL):
    raise ImproperlyConfigured(
        f"TICKETS_HELPDESK_URL={TICKETS_HELPDESK_URL!r} must be an http:// or https:// address "
        "(such as https://support.example.com), or empty for no link to the helpdesk."
    )
if "{id}" not in TICKETS_HELPDESK_URL:  # a pattern keeps its slashes: .../tickets/{id}/
    TICKETS_HELPDESK_URL = TICKETS_HELPDESK_URL.rstrip("/")

# --- Privacy: the page that says what the portal keeps (/privacy/) ----------------------------
# Where a person asks for a copy of what the portal keeps about them, or its erasure: an email
# address or an http(s):// address. Empty: the page says "ask the support team".
TICKETS_PRIVACY_CONTACT = env("TICKETS_PRIVACY_CONTACT")
if TICKETS_PRIVACY_CONTACT.lower().startswith("mailto:"):
    TICKETS_PRIVACY_CONTACT = TICKETS_PRIVACY_CONTACT[len("mailto:") :]
if TICKETS_PRIVACY_CONTACT and not (
    re.fullmatch(r"[^@\s/:]+@[^@\s/:]+\.[^@\s/:]+", TICKETS_PRIVACY_CONTACT)
    or _is_web_address(TICKETS_PRIVACY_CONTACT)
):
    raise ImproperlyConfigured(
        f"TICKETS_PRIVACY_CONTACT={TICKETS_PRIVACY_CONTACT!r} must be an email address "
        "(privacy@example.com) or an http:// or https:// address, or empty."
    )
# The template of the privacy page's text (its figures come from these settings); a deployment
# puts its own in a TICKETS_TEMPLATE_DIRS directory. Per language: a `<name>.<lang>.html` beside
# it (privacy_text.uk.html) is taken first.
TICKETS_PRIVACY_TEMPLATE = env("TICKETS_PRIVACY_TEMPLATE") or "tickets/privacy_text.html"
# Directories searched for templates before the portal's own (comma-separated): a deployment's
# own privacy text, or any template of the portal replaced.
TICKETS_TEMPLATE_DIRS = [Path(path) for path in env_list("TICKETS_TEMPLATE_DIRS")]

# --- Email: the link to a customer's ticket page, mailed once the ticket is filed --------------
# Django's own settings. No EMAIL_HOST: no mail at all (tickets/delivery/mailing.py).
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 25, 1, 65535)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "webmaster@localhost"
# Seconds a mail server may take to answer: one that stops answering never holds the worker.
EMAIL_TIMEOUT = 20
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true: STARTTLS (usually port 587) or "
        "TLS from the start (usually port 465), one of them."
    )
if EMAIL_HOST and not DEBUG:
    # The mail's link is PORTAL_URL's: the development default would send people nowhere.
    if not (env("PORTAL_URL") and _is_web_address(PORTAL_URL)):
        raise ImproperlyConfigured(
            "PORTAL_URL must be the portal's public address (https://tickets.example.com) when "
            "EMAIL_HOST is set and DEBUG is false: the mailed link to a ticket's page starts "
            "with it."
        )
    if not env("DEFAULT_FROM_EMAIL"):
        raise ImproperlyConfigured(
            "DEFAULT_FROM_EMAIL must be set (support@example.com) when EMAIL_HOST is set and "
            "DEBUG is false."
        )

TICKETS_SCHEMA_FILE = Path(env("TICKETS_SCHEMA_FILE") or BASE_DIR / "portal" / "ticket_schema.json")

# --- Delivery ----------------------------------------------------------------------------------
# A submission not filed within this many seconds needs a person's attention (default a week).
TICKETS_DELIVERY_MAX_AGE = env_int("TICKETS_DELIVERY_MAX_AGE", 7 * 86400, 60, 90 * 86400)
# Retries of an unavailable API: the first after about this many seconds, doubling up to the cap.
TICKETS_RETRY_FIRST_SECONDS = env_float("TICKETS_RETRY_FIRST_SECONDS", 5, 0.01, 3600)
TICKETS_RETRY_MAX_SECONDS = env_float(
    "TICKETS_RETRY_MAX_SECONDS",
    max(300, TICKETS_RETRY_FIRST_SECONDS),
    TICKETS_RETRY_FIRST_SECONDS,
    86400,
)
# After a lost answer, the look-up waits this long, so the helpdesk has finished and indexed it.
TICKETS_RECONCILE_AFTER_SECONDS = env_float("TICKETS_RECONCILE_AFTER_SECONDS", 60, 0, 86400)
# How many pages (30 tickets each) of the helpdesk's tickets since the day before a lost answer the
# look-up reads to prove the ticket absent; past them a person decides (tickets/helpdesk/lookup.py).
TICKETS_RECONCILE_MAX_PAGES = env_int("TICKETS_RECONCILE_MAX_PAGES", 20, 1, 1000)
# Put the submission's reference in every ticket's description, so a lost answer can be looked up.
TICKETS_REFERENCE_IN_TICKET = env_bool("TICKETS_REFERENCE_IN_TICKET", True)
TICKETS_REFERENCE_LABEL = "Ticket portal reference"

# Attachments: kept on the server from the first POST, so an error never costs a file.
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
TICKETS_MAX_FILE_MB = env_float("TICKETS_MAX_FILE_MB", 20, 0.001, 1024)
TICKETS_MAX_FILES = env_int("TICKETS_MAX_FILES", 10, 0, 100)
# All kept uploads not yet filed, together (MB): past it, new files are refused with a message.
TICKETS_UPLOADS_MAX_MB = env_float("TICKETS_UPLOADS_MAX_MB", 2048, 1, 10**7)
# Uploads of forms abandoned after an error are deleted by the worker after this long (seconds).
TICKETS_UPLOADS_KEEP_SECONDS = env_int("TICKETS_UPLOADS_KEEP_SECONDS", 2 * 86400, 60, 90 * 86400)
# How many proxies in front of the portal add to X-Forwarded-For (0: the client is REMOTE_ADDR).
TICKETS_TRUSTED_PROXIES = env_int("TICKETS_TRUSTED_PROXIES", 0, 0, 10)
# A rendered form's token is accepted for this long (seconds).
TICKETS_FORM_MAX_AGE = env_int("TICKETS_FORM_MAX_AGE", 24 * 3600, 60, 30 * 86400)
if TICKETS_UPLOADS_KEEP_SECONDS < TICKETS_FORM_MAX_AGE:
    # A form may be sent until it expires: the files it holds must be kept as long.
    raise ImproperlyConfigured(
        f"TICKETS_UPLOADS_KEEP_SECONDS={TICKETS_UPLOADS_KEEP_SECONDS} must be at least "
        f"TICKETS_FORM_MAX_AGE={TICKETS_FORM_MAX_AGE}."
    )

# Sites allowed to frame the embed views (CSP frame-ancestors), e.g. https://support.example.com
# Browsers write an origin in lower case: so is each one here, or a frame would never speak.
EMBED_ALLOWED_ORIGINS = [o.rstrip("/").lower() for o in env_list("EMBED_ALLOWED_ORIGINS")]
# The secret a host site's server signs `ctx` prefill with (HMAC-SHA256); empty: no signed prefill.
# Several, comma-separated, while a secret is being replaced: any of them verifies.
EMBED_CONTEXT_SECRETS = env_list("EMBED_CONTEXT_SECRET")
# The longest a signed `ctx` may claim to last (seconds).
EMBED_CONTEXT_MAX_AGE = env_int("EMBED_CONTEXT_MAX_AGE", 24 * 3600, 60, 30 * 86400)
# /readyz fails when the oldest submission still waiting to be filed is older than this (seconds).
TICKETS_READY_BACKLOG_SECONDS = env_int("TICKETS_READY_BACKLOG_SECONDS", 3600, 60, 30 * 86400)
# `make serve` (manage.py serve): gunicorn's address, processes and threads, and delivery workers.
PORTAL_BIND = env("PORTAL_BIND", "127.0.0.1:8000")
PORTAL_WEB_WORKERS = env_int("PORTAL_WEB_WORKERS", 2, 1, 64)
PORTAL_WEB_THREADS = env_int("PORTAL_WEB_THREADS", 4, 1, 64)
PORTAL_DELIVERY_WORKERS = env_int("PORTAL_DELIVERY_WORKERS", 1, 0, 32)

# A form sent sooner than this after it was shown is taken for a bot's (seconds).
TICKETS_MIN_FILL_SECONDS = env_float("TICKETS_MIN_FILL_SECONDS", 3, 0, 600)

# Throttles on new tickets from customer forms (staff are not throttled): per sender's address
# (an IPv6 address as its /64; past it a browser that solves the proof-of-work challenge still
# files), per form from everyone, and for the whole portal (both hard).
TICKETS_THROTTLE_ADDRESS = env_rates("TICKETS_THROTTLE_ADDRESS", "20/h,240/d")
TICKETS_THROTTLE_FORM = env_rates("TICKETS_THROTTLE_FORM", "300/h")
TICKETS_THROTTLE_PORTAL = env_rates("TICKETS_THROTTLE_PORTAL", "60/m")
# Replies one ticket's page takes (each also counts against its sender's address).
TICKETS_THROTTLE_REPLIES = env_rates("TICKETS_THROTTLE_REPLIES", "10/h,40/d")
# The helpdesk look-ups (clients, followers, a parent ticket) one signed-in agent's pages make.
TICKETS_THROTTLE_STAFF_LOOKUPS = env_rates("TICKETS_THROTTLE_STAFF_LOOKUPS", "60/m,600/h")
# The proof-of-work challenge (ALTCHA, self-hosted): off by default.
TICKETS_CHALLENGE = env_bool("TICKETS_CHALLENGE", False)
# Its difficulty: the largest number the browser may have to try (about 0.1 s per 100000).
TICKETS_CHALLENGE_MAX_NUMBER = env_int("TICKETS_CHALLENGE_MAX_NUMBER", 100_000, 1000, 10_000_000)
# With the challenge on, what a sender without a solved one (JavaScript off, or a script) may file.
TICKETS_THROTTLE_ADDRESS_UNVERIFIED = env_rates("TICKETS_THROTTLE_ADDRESS_UNVERIFIED", "3/h,10/d")

# --- Django -------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "tickets",
    # The stand-in API only where it is mounted: never migrated into, or shown in the admin of,
    # a production database.
    *(["sandbox"] if SANDBOX_ENABLED else []),
    "axes",  # last, as django-axes asks
]

# Staff sign-in (/staff/login/ and /admin/login/) cannot be guessed: django-axes counts failures in
# the database per address and per account and locks both out for a while.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("STAFF_LOGIN_FAILURE_LIMIT", 10, 1, 1000)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("STAFF_LOGIN_LOCKOUT_MINUTES", 30, 1, 7 * 24 * 60))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tickets.views.staff.locked_out"
AXES_SENSITIVE_PARAMETERS = ["password", "username"]
# No personal data in logs: axes would log each failure with the username and address.
AXES_VERBOSE = False

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML gzipped where that gives nothing away (tickets/views/compression.py).
    "tickets.views.compression.SafeGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tickets.embedding.language.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [*TICKETS_TEMPLATE_DIRS, BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tickets.embedding.language.languages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        # A kept connection is checked before a request uses it: after the database restarts,
        # no thread answers one request with the broken connection it kept.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The portal and its worker write to one file: take the write lock when a transaction begins
    # (no deadlock on upgrade), wait for it rather than fail, and let readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database address that stops answering (a failover) fails a request in seconds, not after
    # the kernel's two minutes: pages and /readyz say so while it lasts.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The delivery worker's queue: Django's tasks API (django-tasks), kept in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Rate counters live here: one Redis shared by every portal process in a deployment (the
# throttles count there too, else in the database: tickets/abuse/buckets.py).
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Used challenges and returning senders: every process must see one store, so the database
    # (its table made by migrate) when there is no Redis.
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "throttle",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tickets_throttle",
        # Past it Django deletes the expired entries, then a third of the rest.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
ALTCHA_CACHE_ALIAS = "throttle"  # a used solution is refused by every process
ALTCHA_JS_URL = "vendor/altcha/altcha.js"
ALTCHA_CHALLENGE_EXPIRE = 20 * 60 * 1000  # milliseconds, as ALTCHA recommends
# ALTCHA signs its challenges with a key of its own, derived from SECRET_KEY.
ALTCHA_HMAC_KEY = hmac.new(SECRET_KEY.encode(), b"tickets.altcha", hashlib.sha256).hexdigest()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format and one date-time format a language, on every page (portal/formats/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env("TIME_ZONE", "UTC")
# The helpdesk's own clock: the API writes its dates with no zone (a setting of the helpdesk).
TICKETS_HELPDESK_TIME_ZONE = env("TICKETS_HELPDESK_TIME_ZONE", TIME_ZONE)
try:
    zoneinfo.ZoneInfo(TICKETS_HELPDESK_TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        f"TICKETS_HELPDESK_TIME_ZONE={TICKETS_HELPDESK_TIME_ZONE!r} is not a time zone name "
        "(for example Europe/Kyiv)."
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "portal.storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Widget templates come from templates/ too (the hierarchy's chained selects).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "tickets:staff_login"
LOGIN_REDIRECT_URL = "tickets:staff_index"
LOGOUT_REDIRECT_URL = "tickets:staff_login"

X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere; only the embed views may be framed, and only by
# EMBED_ALLOWED_ORIGINS (tickets/embedding/framing.py replaces frame-ancestors for them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Cookies over HTTPS only, unless in development (the staff session and its CSRF token).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain http:// answered with a redirect to https:// (behind a TLS proxy, with
# SECURE_PROXY_SSL_HEADER). Off by default: a proxy may redirect itself. The probes are exempt, so
# that a load balancer may ask a host directly.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HTTP Strict Transport Security: browsers keep to https:// for this long (seconds). 0 (the
# default): no header; once sent it cannot be taken back before it expires, so it is opt-in.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, 0, 10 * 365 * 86400)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# HSTS preloading is a decision for the whole registered domain (example.com, never a portal at
# tickets.example.com alone), made on the browsers' preload list, not here: check --deploy's
# reminder of it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# plain: one readable line; json: one JSON object a line (python-json-logger), with the fields a
# submission's line carries (reference, state, from_state, why) for a log system to index.
LOG_LEVEL = env("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} must be DEBUG, INFO, WARNING or ERROR.")
LOG_FORMAT = env("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Django puts the request (its URL, with a query that may carry a person's data)
            # on its records: never written out.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"level": "INFO", "propagate": True}},
}
