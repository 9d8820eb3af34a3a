"""Settings, all from environment variables (the README has the table).

With nothing set this is the *embedded default*: SQLite under var/, Celery tasks run
in-process, email to the console, uploaded files under var/media/. Production sets
DATABASE_URL, REDIS_URL, the SMTP variables, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DJANGO_SECURE=1.
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("WELLSCHOOLS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _embedded_secret_key() -> str:
    # The embedded default keeps a random key per checkout instead of a constant in git.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The one base of every absolute link (emails, .ics files, the certificate's QR code). Unset,
# it follows PORT as `scripts/dev` does; production must set it (a deploy check says so).
SITE_URL_SET = bool(env.str("SITE_URL", default=""))
SITE_URL = (
    env.str("SITE_URL", default="") or f"http://localhost:{env.str('PORT', default='8000')}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_htmx",
    "django_celery_beat",
    "wellschools",
    "partnership",
    "wellcheck",
    "events",
    "accreditation",
    "network",
    "staffsurvey",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wellschools.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wellschools.middleware.SecurityHeadersMiddleware",
    "partnership.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "wellschools.urls"
WSGI_APPLICATION = "wellschools.wsgi.application"

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
                "partnership.context_processors.navigation",
                "wellschools.context_processors.page",
            ],
            # The error summary and the one date format, in every template without {% load %}.
            "builtins": ["wellschools.templatetags.wellschools_tags"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "wellschools.User"
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

# Redis is the Celery broker and the cache (allauth's rate limits live in the cache).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wellschools",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 300_000  # KiB: recycle a worker child past ~300 MB
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers a task whose worker died without acknowledging it once this many
# seconds have passed since delivery. Chosen deliberately: longer than any task may run
# (the longest hard time limit is 300 s) and any retry countdown (60 s at most), so a
# healthy task is never delivered twice; a worker killed mid-task is recovered sooner
# than this by the minute sweeps, which ask the live workers what they hold.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 360, "socket_connect_timeout": 3}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/London"
# PDF rendering has its own queue so a burst of reports never delays email.
CELERY_TASK_ROUTES = {"*.render_*": {"queue": "pdf"}}
# Periodic scans (beat, database scheduler: these entries are synced into the database).
# The outbox and document sweeps run every minute, so anything a fault left behind (an
# enqueue lost to a broker outage, a worker killed mid-send or mid-render) is on its way
# again within two minutes of the fault ending. (Tests with a real beat shorten it.)
WELLSCHOOLS_SWEEP_SECONDS = env.int("WELLSCHOOLS_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {"task": "wellschools.tasks.scan_reminders", "schedule": 300.0},
    "flush-email-outbox": {
        "task": "wellschools.tasks.flush_email_outbox",
        "schedule": float(WELLSCHOOLS_SWEEP_SECONDS),
    },
    "clear-expired-sessions": {
        "task": "wellschools.tasks.clear_expired_sessions",
        "schedule": 3600.0,
    },
}

SESSION_COOKIE_AGE = 30 * 60  # 30 minutes idle ...
# ... counted from the last request, but a session is written at most once a minute
# (SessionTouchMiddleware) and read from the cache (Redis in production) before the
# database; expired rows are deleted by the clear-expired-sessions task.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The page warns this many seconds before an idle session ends (static/js/session.js).
WELLSCHOOLS_SESSION_WARNING_SECONDS = 5 * 60

LANGUAGE_CODE = "en-gb"
# One language: the service speaks British English whatever the browser asks for.
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
# One date format on every page, email and PDF: 31 March 2027, 14:30 (wellschools/formats).
FORMAT_MODULE_PATH = ["wellschools.formats"]
# allauth's strings in British English, sentence case (locale/en_GB).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm at setup (package-lock.json), never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("DJANGO_MANIFEST_STATIC", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: console unless SMTP is configured.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = env.str(
        "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Well Schools <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sign-in (django-allauth): the email address is the identity.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Well Schools] "
ACCOUNT_ADAPTER = "wellschools.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS_ENABLED = env.bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Well Schools"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. DJANGO_SECURE=1 is for a deployment behind HTTPS.
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# A strict Content-Security-Policy: our own origin only, no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

WELLSCHOOLS_INVITATION_DAYS = 14
# Anyone may create an account (then apply for a school to join); set 0 for invitation only.
WELLSCHOOLS_SIGNUP_OPEN = env.bool("WELLSCHOOLS_SIGNUP_OPEN", default=True)
WELLSCHOOLS_GIAS_MAX_UPLOAD_MB = env.int("WELLSCHOOLS_GIAS_MAX_UPLOAD_MB", default=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- background work ---
# The file email backend (DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.
# EmailBackend) writes here; the real-worker tests read what a worker process sent.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# Generated documents: lost renders re-enqueued, stalled ones failed, old ones deleted.
WELLSCHOOLS_DOCUMENT_RETENTION_DAYS = env.int("WELLSCHOOLS_DOCUMENT_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE["sweep-documents"] = {
    "task": "wellschools.tasks.sweep_documents",
    "schedule": float(WELLSCHOOLS_SWEEP_SECONDS),
}
# WeasyPrint logs every layout step at INFO; keep its warnings (refused resources) only.
LOGGING.setdefault("loggers", {})["weasyprint.progress"] = {"level": "WARNING"}

# --- staff wellbeing survey ---
# Fewest responses any survey figure is shown for (5 or more; see staffsurvey/checks.py).
STAFFSURVEY_THRESHOLD = env.int("STAFFSURVEY_THRESHOLD", default=5)
# Answers sent per client per minute (the client is a keyed hash held in the cache only).
STAFFSURVEY_SUBMISSIONS_PER_MINUTE = env.int("STAFFSURVEY_SUBMISSIONS_PER_MINUTE", default=60)
