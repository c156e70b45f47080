"""Fixtures: a second, independent database connection and a JSON client."""

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def other_connection(transactional_db: None) -> Iterator[psycopg.Connection]:
    """A connection of its own (autocommit) to the test database, like another client's."""
    # libpq fills in host, port, user and TLS from the same PG* environment.
    with psycopg.connect(dbname=connection.settings_dict["NAME"], autocommit=True) as conn:
        yield conn


class Api:
    """Sends JSON requests through the whole Django stack and decodes the answer."""

    def __init__(self) -> None:
        self.client = Client()

    def get(self, url: str) -> tuple[int, Any]:
        response = self.client.get(url)
        return response.status_code, response.json()

    def post(self, url: str, body: Any) -> tuple[int, Any]:
        raw = body if isinstance(body, str) else json.dumps(body)
        response = self.client.post(url, raw, content_type="application/json")
        return response.status_code, response.json()


@pytest.fixture
def api() -> Api:
    return Api()
