"""Django settings for the mysite project: a Django site with a Procrastinate task queue.

The database connection comes from the standard libpq environment variables, so
the same settings reach a local server over plain TCP or a remote one over
verified TLS with client certificates.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-only-for-the-cookbook-example")

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

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

# [docs:procrastinate-settings]
# Tasks live in each app's tasks.py (the default name, written out here).
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
# Modules outside an app's tasks.py that also define tasks.
PROCRASTINATE_IMPORT_PATHS = ["documents.exports"]
# The DATABASES alias that deferring and the worker use.
PROCRASTINATE_DATABASE_ALIAS = "default"
# Passed to procrastinate.App(worker_defaults=...); worker command-line options win.
PROCRASTINATE_WORKER_DEFAULTS = {"name": "mysite-worker", "shutdown_graceful_timeout": 30.0}
# Passed to procrastinate.App(periodic_defaults=...).
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 600}
# Called with the app once it is built: the place to add tasks from blueprints.
PROCRASTINATE_ON_APP_READY = "documents.procrastinate_setup.on_app_ready"
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

# Where documents.tasks.notify_subscribers posts; nothing listens on the
# discard port by default, so the example shows a task that really fails.
DOCUMENT_WEBHOOK_URL = os.environ.get("DOCUMENT_WEBHOOK_URL", "http://127.0.0.1:9/documents")

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
