"""Settings for the Durable workflows with DBOS recipe's project.

Everything that differs between a laptop and production is read from the
environment here, in one place.
"""

# [docs:environment]
import os
from pathlib import Path

from dbos import DBOSConfig
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
    "onboarding",
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

# [docs:database]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        # Host, port, user, password and TLS settings come from the standard
        # libpq environment variables (PGHOST, PGPORT, PGUSER, PGSSLMODE, ...).
        "NAME": os.environ.get("PGDATABASE", "cookbook"),
    }
}
# [/docs:database]

# [docs:dbos-config]
DBOS: DBOSConfig = {
    "name": "mysite",
    # DBOS keeps its workflow state in a "dbos" schema of the same database.
    # The URL names only the database: psycopg fills in host, port, user,
    # password and the TLS settings from the libpq environment, as for Django.
    "system_database_url": f"postgresql+psycopg:///{DATABASES['default']['NAME']}",
    # Pinned, so that workflows left pending by a crash are recovered by the
    # next release too. Change it only when a workflow's steps change in a way
    # that recorded progress cannot be replayed through.
    "application_version": "1",
}
# [/docs:dbos-config]

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

STATIC_URL = "static/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
