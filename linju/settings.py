"""Linju's one settings module, driven by environment variables.

With nothing set, Linju runs safely on one machine: SQLite in ``LINJU_DATA_DIR`` (WAL mode,
IMMEDIATE transactions, a busy timeout), DEBUG off, localhost only. ``DATABASE_URL`` switches
to PostgreSQL (psycopg 3).
"""

import datetime
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("LINJU_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"


def _secret_key() -> str:
    """Use SECRET_KEY if given, else one generated on first run and kept in the data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])
# The site's public address, for what is made without a request (the worker's disclosure
# reports and their QR codes), e.g. https://linju.example.org/
LINJU_SITE_URL = os.environ.get("LINJU_SITE_URL", "")
# Reverse proxies (e.g. nginx on 127.0.0.1) whose X-Forwarded-For gives the client's address:
# sign-in limits count clients, not the proxy.
LINJU_TRUSTED_PROXIES = _env_list("LINJU_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "axes",  # counts password failures in the database and locks out (linju/accounts/auth.py)
    "linju.core",
    "linju.community",
    "linju.accounts",
    "linju.membership",
    "linju.decisions",
    "linju.notices",
    "linju.funding",
    "linju.projects",
    "linju.ideas",
    "linju.meetings",
    "linju.works",
    "linju.conventions",
    "linju.spaces",
    "linju.talents",
    "linju.opinions",
    "linju.foundation",
    "linju.grants",
    "linju.donations",
    "linju.budgeting",
    "linju.consultations",
    "linju.notifications",
    "linju.wechat",
    "linju.api",
    "linju.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "linju.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linju.core.middleware.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "linju.core.middleware.RefuseNulMiddleware",
    "linju.core.middleware.PreferencesMiddleware",
    "axes.middleware.AxesMiddleware",
    "linju.privacy.phone_views.FullPhoneAuditMiddleware",
]

ROOT_URLCONF = "linju.urls"
WSGI_APPLICATION = "linju.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linju.core.context_processors.linju",
                "linju.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

SQLITE_PATH = DATA_DIR / "linju.sqlite3"

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # queue on the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "linju.accounts.auth.LockoutBackend",
    "linju.core.auth.UsernameOrPhoneBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Password lockout (django-axes, database handler: it holds across processes). Failures count
# per account; a sign-in name and the account's phone count as one. Per IP address axes would
# use the same limit of 5, which behind carrier-grade NAT locks out strangers sharing an
# address, so linju.accounts.services counts failures per IP with a higher limit instead.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "linju.accounts.auth.lockout_key"
AXES_CLIENT_IP_CALLABLE = "linju.accounts.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "linju.accounts.auth.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success with one's own account must not wipe others' counts
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the security log (core.SecurityEvent)
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # per-IP limits: see above

# Security events (sign-ins, refusals, exports, full-number views) are kept this many days;
# linju.privacy.retention never keeps them less than six months, whatever is set here.
LINJU_SECURITY_LOG_DAYS = int(os.environ.get("LINJU_SECURITY_LOG_DAYS", "365"))

# --- Background tasks -----------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Language, time -------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "linju_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "linju.core.storage.StaticStorage"},
}
# Serve straight from the app folders when nothing was collected (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 30 * 24 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production sits behind TLS; switch these on with LINJU_HTTPS=1.
if _env_bool("LINJU_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("LINJU_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINJU_LOG_LEVEL", "WARNING")},
}

LINJU_SITE_NAME = _("Linju")

# Text messages: "console" and "file" for development and the demo; production names a provider
# class (see linju/accounts/sms.py). Without one, sending fails loudly rather than silently.
LINJU_SMS_BACKEND = os.environ.get("LINJU_SMS_BACKEND", "file" if DEBUG else "refuse")

# --- Notifications --------------------------------------------------------------------------

# "A digest instead of a flood": after this many text or WeChat messages to one person within
# the window, further ones wait and go as one message at the end of the window.
LINJU_NOTIFY_DIGEST_AFTER = int(os.environ.get("LINJU_NOTIFY_DIGEST_AFTER", "3"))
LINJU_NOTIFY_DIGEST_WINDOW_MINUTES = int(os.environ.get("LINJU_NOTIFY_DIGEST_WINDOW_MINUTES", "60"))

# --- WeChat mini-program --------------------------------------------------------------------

# The app id and secret come from the environment only; without them WeChat messages are off.
LINJU_WECHAT_API_BASE = os.environ.get("LINJU_WECHAT_API_BASE", "https://api.weixin.qq.com")
LINJU_WECHAT_APPID = os.environ.get("LINJU_WECHAT_APPID", "")
LINJU_WECHAT_SECRET = os.environ.get("LINJU_WECHAT_SECRET", "")
LINJU_WECHAT_TIMEOUT = float(os.environ.get("LINJU_WECHAT_TIMEOUT", "10"))
LINJU_WECHAT_MINIPROGRAM_STATE = os.environ.get("LINJU_WECHAT_MINIPROGRAM_STATE", "formal")
# Subscribe-message template ids by kind of notification ("home", "notices", "votes",
# "projects") or "default", as JSON: LINJU_WECHAT_TEMPLATES='{"default": "<template id>"}'.
LINJU_WECHAT_TEMPLATES = json.loads(os.environ.get("LINJU_WECHAT_TEMPLATES") or "{}")
# Which keys of the template carry the title, a summary and the time.
LINJU_WECHAT_TEMPLATE_FIELDS = json.loads(
    os.environ.get("LINJU_WECHAT_TEMPLATE_FIELDS")
    or '{"title": "thing1", "body": "thing2", "time": "time3"}'
)
