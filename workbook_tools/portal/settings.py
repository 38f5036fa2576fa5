"""Django settings for the intake portal, read from the environment that ``workbook-tools serve`` sets.

Everything lives under one data folder (``WBT_PORTAL_DATA``): the SQLite database (unless
``WBT_PORTAL_DATABASE_URL`` names another, e.g. PostgreSQL), the content-addressed uploads, derived files and
the secret key. Production mode is the default: no debug pages unless ``WBT_PORTAL_DEBUG=1``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("WBT_PORTAL_DATA", "portal-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """A key generated once per data folder (mode 0600), so sessions survive restarts without configuration."""
    given = os.environ.get("WBT_PORTAL_SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("WBT_PORTAL_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("WBT_PORTAL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WBT_PORTAL_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",
    "workbook_tools.portal.apps.PortalConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = "workbook_tools.portal.urls"
WSGI_APPLICATION = "workbook_tools.portal.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "workbook_tools.portal.context.words",
    ]},
}]

DATABASE_URL = os.environ.get("WBT_PORTAL_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets pages read while an upload writes; IMMEDIATE takes the write lock at BEGIN, so two uploads queue
    # instead of one failing with "database is locked" half-way through its transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# Login rate limiting (django-axes): 5 failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("WBT_PORTAL_LOGIN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("WBT_PORTAL_PROXY_COUNT", "0")) or None

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("WBT_PORTAL_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
#: Uploads larger than this are refused before anything reads them (the request body is also capped).
MAX_UPLOAD_BYTES = int(float(os.environ.get("WBT_PORTAL_MAX_UPLOAD_MB", "20")) * 1024 * 1024)
#: Validation of uploads in this many worker processes, each file then limited in time and memory like a ``batch``
#: worker; 0 (the default, measured faster on 2 cores: docs/performance.md) validates in the request's thread.
VALIDATION_WORKERS = int(os.environ.get("WBT_PORTAL_VALIDATION_WORKERS", "0"))
VALIDATION_TIMEOUT = float(os.environ.get("WBT_PORTAL_VALIDATION_TIMEOUT", "60"))
VALIDATION_MEMORY_MB = int(os.environ.get("WBT_PORTAL_VALIDATION_MEMORY_MB", "2048"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if os.environ.get("WBT_PORTAL_HTTPS", "") == "1":
    # Behind a TLS-terminating reverse proxy (docs/portal.md): cookies only over HTTPS, HSTS, proxy header trusted.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
