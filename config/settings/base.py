"""Settings shared by every environment; values come from the environment.

Environment variables (all optional for development):
  DATABASE_URL       default sqlite:///var/relata.sqlite3
  CELERY_BROKER_URL  default filesystem:// (folders under var/broker, no server)
  SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, CACHE_URL
  EMAIL_URL          default consolemail:// (letters are printed); e.g. smtp+tls://u:p@host:587
  DEFAULT_FROM_EMAIL, TIME_ZONE, RELATA_DEFAULT_PHONE_REGION
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("RELATA_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "ninja",
    "relata.core",
    "relata.clients",
    "relata.activities",
    "relata.catalog",
    "relata.sales",
    "relata.orders",
    "relata.loyalty",
    "relata.analytics",
    "relata.web",
    "relata.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relata.core.middleware.ActorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relata.web.context_processors.shell",
            ],
        },
    },
]
FORM_RENDERER = "relata.web.forms.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'relata.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; the busy timeout makes
    # concurrent writers wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://relata")}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie

# Login throttling: repeated failures for one account or from one address lock that
# account or address for a while (relata.core.auth.throttling).
RELATA_LOGIN_ACCOUNT_FAILURES = env.int("RELATA_LOGIN_ACCOUNT_FAILURES", default=5)
RELATA_LOGIN_ADDRESS_FAILURES = env.int("RELATA_LOGIN_ADDRESS_FAILURES", default=20)
RELATA_LOGIN_LOCK_MINUTES = env.int("RELATA_LOGIN_LOCK_MINUTES", default=15)
# Number of proxies in front of the app whose X-Forwarded-For entries are trusted.
RELATA_TRUSTED_PROXIES = env.int("RELATA_TRUSTED_PROXIES", default=0)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "relata" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
LANGUAGE_COOKIE_NAME = "relata_language"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package.json, exact versions); only their built
# files are exposed, each under a stable prefix.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/alpinejs", NODE_MODULES / "alpinejs" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/fullcalendar", NODE_MODULES / "fullcalendar"),
    ("vendor/fullcalendar-locales", NODE_MODULES / "@fullcalendar" / "core" / "locales"),
    ("vendor/trix", NODE_MODULES / "trix" / "dist"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
# Attachments of activities live in a storage of their own: files on disk by default,
# object storage in production by naming a django-storages backend and its options, e.g.
# RELATA_ATTACHMENTS_STORAGE=storages.backends.s3.S3Storage
# RELATA_ATTACHMENTS_STORAGE_OPTIONS='{"bucket_name": "relata", "querystring_auth": true}'.
ATTACHMENTS_STORAGE = {
    "BACKEND": env.str("RELATA_ATTACHMENTS_STORAGE", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json(
        "RELATA_ATTACHMENTS_STORAGE_OPTIONS", default={"location": str(VAR_DIR / "media" / "attachments")}
    ),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": ATTACHMENTS_STORAGE,
}
MEDIA_URL = "/media/"

# Request bodies: forms and JSON up to 2.5 MB; larger uploads are streamed to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("RELATA_MAX_BODY_BYTES", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Relata <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Without a broker server the filesystem transport keeps messages in folders
# under var/broker; production sets CELERY_BROKER_URL to Redis or RabbitMQ.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Kombu's default is ./control, relative to wherever the worker was started.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True  # progress and results live in the Job table
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

NINJA_PAGINATION_PER_PAGE = 50
RELATA_API_MAX_PAGE_SIZE = 200
RELATA_DEFAULT_PHONE_REGION = env.str("RELATA_DEFAULT_PHONE_REGION", default="RU")
# Attachments of activities: the largest file and how many per activity.
RELATA_ATTACHMENT_MAX_MB = env.int("RELATA_ATTACHMENT_MAX_MB", default=20)
RELATA_ATTACHMENTS_PER_ACTIVITY = env.int("RELATA_ATTACHMENTS_PER_ACTIVITY", default=10)
# The columnar copy of a large workspace's sales for the analytics dashboards
# (relata.analytics.services.columnar): kept for workspaces with at least MIN_LINES order
# lines, rebuilt every REFRESH seconds, not used once older than MAX_AGE seconds (the
# widgets then read the database). On several web hosts the directory must be shared.
ANALYTICS_COPY_DIR = env.str("RELATA_ANALYTICS_COPY_DIR", default=str(VAR_DIR / "analytics"))
ANALYTICS_COPY_MIN_LINES = env.int("RELATA_ANALYTICS_COPY_MIN_LINES", default=500_000)
ANALYTICS_COPY_REFRESH = env.int("RELATA_ANALYTICS_COPY_REFRESH", default=600)
ANALYTICS_COPY_MAX_AGE = env.int("RELATA_ANALYTICS_COPY_MAX_AGE", default=3600)
ANALYTICS_COPY_THREADS = env.int("RELATA_ANALYTICS_COPY_THREADS", default=2)
# A reader with scope "own" or "team" uses the copy only while its owners are the database's:
# checked by a fingerprint of the owners, kept this many seconds for the dashboard's widgets.
ANALYTICS_COPY_OWNERS_CHECK = env.int("RELATA_ANALYTICS_COPY_OWNERS_CHECK", default=5)
ANALYTICS_COPY_MEMORY = env.str("RELATA_ANALYTICS_COPY_MEMORY", default="1GB")  # the build's; beyond it, disk

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO; its warnings are what matters.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

CELERY_BEAT_SCHEDULE = {
    "jobs-recover-stalled": {"task": "relata.core.tasks.jobs_recover_stalled", "schedule": 60.0},
    "login-throttle-purge": {"task": "relata.core.tasks.login_throttle_purge", "schedule": 3600.0},
    "emails-send-pending": {"task": "relata.core.tasks.emails_send_pending", "schedule": 300.0},
    # Task reminders: due ones are delivered within this many seconds.
    "task-reminders": {"task": "relata.activities.tasks.reminders_deliver", "schedule": 10.0},
    "task-rules-silence": {"task": "relata.activities.tasks.task_rules_run", "schedule": 3600.0},
    # Loyalty points past their lifetime; idempotent, so a missed or repeated day is harmless.
    "loyalty-points-expire": {"task": "relata.loyalty.tasks.points_expire", "schedule": 86400.0},
    # Due copies only (ANALYTICS_COPY_REFRESH); a check of the others' sizes costs little.
    "analytics-copies-refresh": {"task": "relata.analytics.tasks.columnar_refresh_all", "schedule": 120.0},
    "analytics-classes-recompute": {
        "task": "relata.analytics.tasks.classes_recompute_all",
        "schedule": 86400.0,
    },
}
# A running job whose worker has shown no sign of life for this long is taken over.
RELATA_JOB_STALL_SECONDS = env.int("RELATA_JOB_STALL_SECONDS", default=300)
RELATA_BASE_URL = env.str("RELATA_BASE_URL", default="http://127.0.0.1:8000")
