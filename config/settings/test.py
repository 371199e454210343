"""The test suite: same code paths as production, fast password hashing, tasks run
eagerly unless a test starts a real worker."""

import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = "test-only-key-0b9f3c2d7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# A small app with an owned model, so that the access scopes and the hand-over are
# tested before the business apps exist and independently of them.
INSTALLED_APPS = [*INSTALLED_APPS, "relata.core.tests.sample"]

# The analytics copies of this process's test databases, never a developer's under var/.
ANALYTICS_COPY_DIR = tempfile.mkdtemp(prefix="relata-analytics-copies-")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: with the in-memory one the live
    # server's threads share the test thread's connection, and a thread waiting for
    # SQLite's connection mutex while holding the GIL deadlocks against a thread inside
    # a Python SQL function (relata_casefold) waiting for the GIL — a browser test then
    # hangs for good (pytest-timeout's alarm needs the GIL too). With a file every thread
    # has a connection of its own, as on PostgreSQL. One file per process (xdist workers
    # and concurrent runs on one machine do not meet), removed after the run.
    import os

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"relata-test-{os.getpid()}.sqlite3")
    }
