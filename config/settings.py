"""One env-driven settings file. Every variable is documented in .env.example and the README."""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    import os

    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    import os

    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    import os

    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str) -> str:
    import os

    return os.environ.get(name) or default


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PROTECTIVE_MARKING = env_str("PROTECTIVE_MARKING", "OFFICIAL")
SERVICE_NAME = "Shared objectives"
RATING_SCALE = env_int("RATING_SCALE", 5)


def env_date(name: str):
    import datetime as dt
    import os

    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date like 2024-11-15, not {raw!r}") from None


# Pins the date the app treats as today (demos, training). Empty: the real date.
TODAY = env_date("TODAY")
if RATING_SCALE not in (3, 5):
    raise ImproperlyConfigured(f"RATING_SCALE must be 3 or 5, not {RATING_SCALE}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "template_partials",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "objectives",
    "reviews",
    "accounts",
    "risks",
    "jobs",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that reads the session: the health check must not need the database.
    "objectives.middleware.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Wraps everything after it, so its header is on every answer to a signed-in person.
    "objectives.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "objectives.middleware.AuditRefusalsMiddleware",
    "objectives.middleware.DatabaseUnavailableMiddleware",
    # Last, as axes asks: it turns a sign-in refused for a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
                "objectives.context_processors.service",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        # A kept connection is checked before a request reuses it, so after the database restarts
        # the first page of each worker opens a new one instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lock-out (django-axes): 5 failures for one username from one address lock that pair out
# for 15 minutes. Per pair, so nobody can lock a colleague out by typing their name elsewhere.
AUTHENTICATION_BACKENDS = [
    "objectives.security.LockoutBackend",
    # Local passwords; LOCAL_LOGIN=false leaves them to superusers only (accounts/backends.py).
    "accounts.backends.LocalPasswordBackend",
    # Sign-in with the organisation's account (OpenID Connect), when OIDC_ISSUER is set.
    "accounts.oidc.OrganisationBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "objectives.security.client_ip"
AXES_VERBOSE = False  # the audit log records lock-outs (objectives/audit.py)
# Axes guards local passwords only: the organisation sign-in's callback is never counted.
AXES_WHITELIST_CALLABLE = "accounts.oidc.is_organisation_sign_in"
# How many proxies (load balancer, reverse proxy) in front of the app append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGIN_URL = "login"
# Local passwords (username and password kept by this app). false: only superusers may use one,
# as a break-glass way in when the organisation's sign-in is down; everyone else signs in with
# their organisation account.
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)

# Sign-in with the organisation's account: OpenID Connect, authorisation code flow with PKCE,
# state and nonce (mozilla-django-oidc; accounts/oidc.py). Off while OIDC_ISSUER is empty. The
# provider's endpoints and keys come from OIDC_ISSUER + /.well-known/openid-configuration. For
# Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 (docs/decisions.md).
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too"
    )
if OIDC_ISSUER and not OIDC_ISSUER.startswith("https://") and not DEBUG:
    raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {OIDC_ISSUER!r}")
# true: a person the provider vouches for but who has no user here gets one, with no team.
# false (default): they see "ask an administrator to add you" and nothing is created.
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
OIDC_RP_SCOPES = "openid email profile"
# The ID token's signing algorithm: the provider's keys sign it (Entra ID: RS256).
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGORITHM", "RS256")
if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}:
    raise ImproperlyConfigured(
        f"OIDC_SIGN_ALGORITHM must be RS256 (or another RS/ES algorithm), not {OIDC_RP_SIGN_ALGO!r}"
    )
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # kept in the session, as the hint when signing out of the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# How long the provider's published configuration and keys are reused, in seconds.
OIDC_DISCOVERY_SECONDS = env_int("OIDC_DISCOVERY_SECONDS", 3600)
LOGIN_REDIRECT_URL = "objectives:my_work"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves static files with whitenoise from STATIC_ROOT (`collectstatic`), compressed and
# with content hashes in their names so browsers may cache them for ever. Off by default while
# DEBUG is on: runserver and the test suite serve static/ directly and need no collectstatic.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
if STATIC_MANIFEST:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# Caches: packs (reviews/cache.py) and anything else cached. With REDIS_URL, Django's own
# RedisCache, shared by every app server and worker; without it, each process's memory (one
# machine, one process is fine for a newcomer; several servers need REDIS_URL).
REDIS_URL = env_str("REDIS_URL", "")


def _cache(prefix: str, max_entries: int) -> dict:
    if REDIS_URL:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": prefix,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {"default": _cache("default", 300), "packs": _cache("packs", 50)}

# Background jobs: Django's tasks API (django-tasks, the backport of Django 6's django.tasks) with
# the queue kept in this app's own database (django-tasks-db), so SQLite needs no extra server and
# workers on several machines share PostgreSQL's queue. `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A job still "running" this many minutes after it started is taken to have lost its worker:
# pages show it as failed with "Run again" and `manage.py fail_stale_jobs` marks it failed.
JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 15)
# A collaboration day whose pack shows more objectives than this builds it as a job, not in the
# request (a big pack takes longer than a request may).
PACK_JOB_THRESHOLD = env_int("PACK_JOB_THRESHOLD", 150)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shared-objectives@localhost")
# SMTP, when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Password reset by email is offered only when email goes somewhere (accounts/forms.py): not with
# the console or dummy backends.
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day idle
SESSION_SAVE_EVERY_REQUEST = True

# HTTPS-only settings, applied when DEBUG is off. A dict so tests can apply exactly these.
# `__Host-` cookies must be Secure, have Path=/ and no Domain: the browser then refuses them from
# any other host or over plain HTTP. The load balancer must set X-Forwarded-Proto itself.
PRODUCTION_SECURITY = {
    "SECURE_SSL_REDIRECT": env_bool("SECURE_SSL_REDIRECT", True),
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
}
if not DEBUG:
    globals().update(PRODUCTION_SECURITY)
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "objectives.errors.csrf_failure"

# Content-Security-Policy (django-csp 4): only this site's own files. No inline scripts or styles
# anywhere (htmx's indicator styles and eval are off in base.html). The one outside origin is for
# NHS.UK's Frutiger web font, which nhsuk-frontend's CSS loads from assets.nhs.uk (the font is
# licensed to the NHS and not in the npm package). FONT_ORIGINS=none allows no outside origin:
# text then falls back to Arial, as NHS.UK's own font stack intends.
FONT_ORIGINS = [
    origin for origin in env_list("FONT_ORIGINS", ["https://assets.nhs.uk"]) if origin != "none"
]
OIDC_ISSUER_ORIGIN = "/".join(OIDC_ISSUER.split("/")[:3]) if OIDC_ISSUER else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:", *FONT_ORIGINS],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The provider's origin: signing out posts here and is redirected to its sign-out page.
        "form-action": ["'self'", *([OIDC_ISSUER_ORIGIN] if OIDC_ISSUER_ORIGIN else [])],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# The audit trail (objectives/audit.py): one JSON line per event on stderr, or in AUDIT_LOG_FILE
# (reopened when rotated).
AUDIT_LOG_FILE = env_str("AUDIT_LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "objectives.audit.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "audit": (
            {"class": "logging.handlers.WatchedFileHandler", "filename": AUDIT_LOG_FILE}
            if AUDIT_LOG_FILE
            else {"class": "logging.StreamHandler"}
        )
        | {"formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "audit": {"handlers": ["audit"], "level": "INFO", "propagate": False},
        # axes logs every failure as a warning; the audit trail already records them.
        "axes": {"level": "ERROR"},
    },
}

# Thresholds for the at-risk rules: any of risks.rules.DEFAULTS by name, each documented there,
# e.g. {"silence_danger_days": 45}. Unknown names and nonsense values stop the app at start-up.
RISK_THRESHOLDS: dict = {}

# People import (accounts/people_import.py): the most data rows one staff-directory file may have.
PEOPLE_IMPORT_MAX_ROWS = env_int("PEOPLE_IMPORT_MAX_ROWS", 15_000)

# Plan import (objectives/importing/reading.py): the largest upload, the most data rows on one
# sheet, and the most an XLSX may unpack to (checked before unzipping, so a zip bomb is refused).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
