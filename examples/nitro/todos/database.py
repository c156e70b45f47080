"""Point Nitro's SQLModel engine at Django's PostgreSQL database."""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nitro.domain.repository.sql import SQLModelRepository

# [docs:engine]
# Only the driver: host, port, user, password and TLS come from the same libpq
# environment variables Django's connection uses (PGHOST, PGSSLMODE, ...).
NITRO_DATABASE_URL = "postgresql+psycopg://"


def connect() -> psycopg.Connection:
    """Open a connection to the database Django uses, for Nitro's engine.

    The name is read from Django's settings at connect time rather than from
    ``PGDATABASE`` once, so Nitro follows Django onto its test database.
    """
    return psycopg.connect(dbname=settings.DATABASES["default"]["NAME"])


def configure_repository() -> SQLModelRepository:
    """Create Nitro's repository singleton on Django's database.

    Nitro builds one engine, the first time ``SQLModelRepository`` is
    instantiated, and ignores the arguments of every later call. Its default URL
    is ``NITRO_DB_URL`` as it was when ``nitro`` was first imported, else
    ``sqlite:///nitro.db``. This must therefore run before anything touches an
    entity's repository; it raises ``ImproperlyConfigured`` when too late.
    """
    repository = SQLModelRepository(url=NITRO_DATABASE_URL, creator=connect)
    if repository.engine.url.render_as_string() != NITRO_DATABASE_URL:
        raise ImproperlyConfigured(
            "Nitro's repository was created before Django started, on "
            f"{repository.engine.url}; do not use entities at import time."
        )
    return repository
    # [/docs:engine]


# [docs:tables]
def create_tables(**kwargs: object) -> None:
    """Create the tables of all imported Nitro entities that do not exist yet.

    Connected to Django's ``post_migrate`` signal, so ``manage.py migrate``, and
    the creation of the test database, create Nitro's tables too.
    """
    SQLModelRepository().init_db()
    # [/docs:tables]
