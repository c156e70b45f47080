"""Settings for the Background jobs with Procrastinate recipe's project.

Everything that differs between a laptop and production is read from the
environment here, in one place.
"""

# [docs:environment]
import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated environment variable as a list, without empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
# Without DJANGO_SECRET_KEY every start gets a new random key: safe, but
# sessions and signed values do not survive a restart. Set it in production.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# [/docs:environment]

# [docs:installed-apps]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "procrastinate.contrib.django",
    "documents",
]
# [/docs:installed-apps]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mysite.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "mysite.wsgi.application"

# [docs:databases]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        # Host, port, user, password and TLS settings come from the standard
        # libpq environment variables (PGHOST, PGPORT, PGUSER, PGSSLMODE, ...).
        "NAME": os.environ.get("PGDATABASE", "cookbook"),
    }
}
# [/docs:databases]

# [docs:import-paths]
# Modules outside an app's tasks.py that also define tasks.
PROCRASTINATE_IMPORT_PATHS = ["documents.exports"]
# [/docs:import-paths]

# [docs:worker-defaults]
# Passed to procrastinate.App(worker_defaults=...); worker command-line options win.
PROCRASTINATE_WORKER_DEFAULTS = {"name": "mysite-worker", "shutdown_graceful_timeout": 30.0}
# [/docs:worker-defaults]

# [docs:on-app-ready]
# Called with the app once it is built: the place to add tasks from blueprints.
PROCRASTINATE_ON_APP_READY = "documents.procrastinate_setup.on_app_ready"
# [/docs:on-app-ready]

# [docs:procrastinate-settings]
# Tasks live in each app's tasks.py (the default name, written out here).
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
# The DATABASES alias that deferring and the worker use.
PROCRASTINATE_DATABASE_ALIAS = "default"
# Passed to procrastinate.App(periodic_defaults=...).
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 600}
# True (the default) makes the job, event and worker models refuse most writes.
PROCRASTINATE_READONLY_MODELS = True
# [/docs:procrastinate-settings]

# [docs:logging]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "worker": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "worker"},
    },
    "loggers": {
        # Warnings from every part of Procrastinate, and one INFO line per job
        # state change from the worker, without the start-up chatter.
        "procrastinate": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "procrastinate.worker": {"level": "INFO"},
    },
}
# [/docs:logging]

# [docs:webhook]
# Where documents.tasks.notify_subscribers posts; nothing listens on the
# discard port by default, so the example shows a task that really fails.
DOCUMENT_WEBHOOK_URL = os.environ.get("DOCUMENT_WEBHOOK_URL", "http://127.0.0.1:9/documents")
# [/docs:webhook]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Django 6.0's default; stated so that Django 5.2 (LTS) makes the same 64-bit keys.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "static/"
