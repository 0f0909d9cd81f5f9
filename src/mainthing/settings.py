"""The one settings file. Everything a deployment changes comes from MAINTHING_* variables.

Each variable goes through a small typed reader that stops start-up with a message naming the
variable when its value is wrong, so a typo never runs silently with a default.
"""

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mainthing.core import files

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be on/off (or true/false, 1/0); got {raw!r}.")


def env_int(name: str, default: int, *, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}; got {value}.")
    return value


def env_networks(name: str) -> tuple:
    """Comma-separated addresses or networks ("127.0.0.1,10.0.0.0/8") as ip_network objects."""
    networks = []
    for item in env_str(name).split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name} must be comma-separated proxy addresses or networks "
                    f"(such as 127.0.0.1,10.0.0.0/8); got {item.strip()!r}."
                ) from None
    return tuple(networks)


def env_url(name: str, *, schemes: set[str]) -> str:
    raw = env_str(name)
    if raw and urlparse(raw).scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of: {allowed}.")
    return raw


DATA_DIR = Path(env_str("MAINTHING_DATA_DIR", "var")).expanduser().resolve()
# Everything written from here on is the owner's alone (core/files.py says why and how).
files.owner_only()
files.private_dir(DATA_DIR)
DEBUG = env_bool("MAINTHING_DEBUG", False)
PORT = env_int("MAINTHING_PORT", 8000, low=1, high=65535)
RATE_LIMITS = env_bool("MAINTHING_RATE_LIMITS", True)
BASE_URL = env_url("MAINTHING_BASE_URL", schemes={"http", "https"}).rstrip("/") or (
    f"http://127.0.0.1:{PORT}"
)
DATABASE_URL = env_url(
    "MAINTHING_DATABASE_URL", schemes={"sqlite", "postgres", "postgresql", "pgsql"}
)
EMAIL_URL = env_url("MAINTHING_EMAIL_URL", schemes={"smtp", "smtps", "file", "console", "memory"})
REDIS_URL = env_url("MAINTHING_REDIS_URL", schemes={"redis", "rediss", "unix"})


def _secret_key() -> str:
    given = env_str("MAINTHING_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ImproperlyConfigured("MAINTHING_SECRET_KEY must be at least 32 characters.")
        return given
    # Generated once and kept beside the data it protects, readable by the owner only.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

_base_host = urlparse(BASE_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = [
    host.strip()
    for host in env_str("MAINTHING_ALLOWED_HOSTS", f"127.0.0.1,localhost,{_base_host}").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith("https://") else []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "mainthing.core",
    "mainthing.accounts",
    "mainthing.routine",
    "mainthing.activity",
    "mainthing.prospects",
    "mainthing.bookings",
    "mainthing.calls",
    "mainthing.insights",
    "mainthing.api",
]
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "mainthing.core.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "mainthing.urls"
WSGI_APPLICATION = "mainthing.wsgi.application"

# Every form's fields keep what the user had when sent back with errors (core/forms.py).
FORM_RENDERER = "mainthing.core.forms.FormRenderer"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]


def _database() -> dict:
    if not DATABASE_URL:
        return sqlite_database(DATA_DIR / "mainthing.sqlite3")
    if DATABASE_URL.startswith("sqlite"):
        # sqlite:////absolute/path.sqlite3 or sqlite:///relative/path.sqlite3
        name = dj_database_url.parse(DATABASE_URL)["NAME"]
        if not name or name == ":memory:":
            raise ImproperlyConfigured("MAINTHING_DATABASE_URL must name a SQLite file.")
        return sqlite_database(Path(name).resolve())
    config = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    config["TEST"] = {"NAME": None}
    return config


def sqlite_database(path: Path) -> dict:
    """SQLite tuned for a web app: WAL, writers queue up instead of failing, FKs enforced."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-64000;"
                "PRAGMA temp_store=MEMORY;"
            ),
        },
        # Reopening costs the PRAGMAs and a schema load on every request: keep connections.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        # Concurrency tests need a real file: an in-memory database serialises everything.
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mainthing.core.limits.PasswordLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's storage (uploads, collected static files) sets modes itself: owner-only too.
FILE_UPLOAD_PERMISSIONS = files.FILE_MODE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = files.DIR_MODE
# Form fields, not uploaded files (imports have their own limit, core.importing.MAX_UPLOAD_BYTES):
# the longest field, a 10,000-character note, is at most ~120 KB percent-encoded. A bigger
# body is answered 400 (core/templates/400.html) before any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024


def _email() -> dict:
    if not EMAIL_URL:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(DATA_DIR / "mail"),
        }
    url = urlparse(EMAIL_URL)
    if url.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": url.path,
        }
    if url.scheme in {"console", "memory"}:
        module = {"console": "console", "memory": "locmem"}[url.scheme]
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{module}.EmailBackend"}
    query = parse_qs(url.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": url.hostname or "localhost",
        "EMAIL_PORT": url.port or (465 if url.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_SSL": url.scheme == "smtps",
        "EMAIL_USE_TLS": url.scheme == "smtp" and query.get("tls", ["1"])[0] != "0",
        "EMAIL_TIMEOUT": 20,
    }


globals().update(_email())
DEFAULT_FROM_EMAIL = env_str("MAINTHING_FROM_EMAIL", f"Mainthing <noreply@{_base_host}>")

if REDIS_URL:
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MAINTHING_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Client addresses behind proxies (core/ratelimit.py): addresses, not a count, so X-Forwarded-For
# is read only when the request really comes from one of these, and a client that reaches the
# app directly can't forge its address (docs/security.md).
TRUSTED_PROXIES = env_networks("MAINTHING_TRUSTED_PROXIES")
# A browser that signed in keeps a signed cookie that lets it past the per-account login limit
# (accounts/devices.py).
KNOWN_DEVICE_COOKIE = "mainthing_device"
KNOWN_DEVICE_DAYS = 365

# No inline script or style anywhere; htmx is told not to inject its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        # The installable app: its manifest and service worker (core/webapp.py).
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django logs the paths of failed requests ("Not Found: /feeds/…"): secrets masked.
    "filters": {"secrets": {"()": "mainthing.core.secretpaths.MaskSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"mainthing": {"level": "INFO"}},
}
