"""Hostile input at every URL: never a server error, never a row written.

Each generated request is valid but for one thing (a JSON field, the body, its
content type, a header, a path segment or the method), and always carries a
hostile query string. The rows of every table of every schema, DBOS's system
tables included, are counted after each request.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.db import connection
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from onboarding.models import Email

MISSING = object()
NUL_AND_SURROGATES = ["\x00", "\ud800", "\udfff"]
BIG_INTEGERS = [2**31, 2**63, 10**30, -1, -(2**31), -(2**63)]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass(frozen=True)
class Endpoint:
    """What a view reads, with a valid value for each JSON field and header."""

    method: str
    fields: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


SIGNUP = {"email": "ada@example.com", "follow_up_after": 1}
ENDPOINTS = {
    "signup": Endpoint("POST", SIGNUP),
    "start-signup": Endpoint("POST", SIGNUP, {"Idempotency-Key": "signup-1"}),
    "workflow-status": Endpoint("GET"),
}
# A path segment that the views accept: no workflow has that id, the database is empty.
SEGMENT = "signup-1"


def routes() -> list[tuple[str, str]]:
    """Every route of the URLconf as (name, path with ``<placeholders>``)."""
    found = []
    for _, regex, namespaces, name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", simplify_regex(regex))
        found.append((":".join([*(namespaces or []), name or ""]), template))
    return found


def route_groups() -> dict[str, list[tuple[str, str]]]:
    """Each view of the app in a group of its own; the admin's views in one group."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, template in routes():
        group = "admin" if name.startswith("admin:") else name
        groups.setdefault(group, []).append((name, template))
    return groups


# Each group gets its own share of the examples.
ROUTE_GROUPS = route_groups()


def text_with(valid: str, max_length: int | None) -> st.SearchStrategy[str]:
    """``valid`` spoiled: NUL or a lone surrogate inserted, or made longer than ``max_length``."""
    spoiled = st.builds(
        lambda at, bad: valid[:at] + bad + valid[at:],
        st.integers(0, len(valid)),
        st.sampled_from(NUL_AND_SURROGATES),
    )
    if max_length is None:
        return spoiled
    # Just over the limit, or far over it.
    too_long = (st.integers(1, 100) | st.just(5000)).map(
        lambda extra: "a" * (max_length + extra - len(valid)) + valid
    )
    return spoiled | too_long


def not_a(kind: type) -> st.SearchStrategy[object]:
    """JSON values of any type but ``kind`` (``true`` is not a number here)."""
    values = {
        str: st.text(max_size=20),
        float: st.booleans() | st.integers() | st.floats(),
        dict: st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        list: st.lists(st.integers(), max_size=3),
    }
    if kind is float:
        return st.one_of(values[str], st.booleans(), values[dict], values[list])
    return st.one_of(*(strategy for other, strategy in values.items() if other is not kind))


def out_of_range(low: float, high: float) -> st.SearchStrategy[object]:
    return (
        st.sampled_from(BIG_INTEGERS).filter(lambda n: not low <= n <= high)
        | st.floats().filter(lambda x: not low <= x <= high)
        | st.integers().filter(lambda n: not low <= n <= high)
    )


# One strategy per JSON field: values that the view must refuse.
HOSTILE_FIELDS = {
    "email": st.one_of(
        text_with(SIGNUP["email"], Email._meta.get_field("to").max_length),
        not_a(str),
        st.just(MISSING),
        st.text(max_size=30).filter(lambda s: "@" not in s),
    ),
    "follow_up_after": out_of_range(0, 86400) | not_a(float),
}
HOSTILE_HEADERS = {
    "Idempotency-Key": st.one_of(
        text_with("signup-1", Email._meta.get_field("workflow_id").max_length),
        st.just(MISSING),
        st.sampled_from(["signup/1", "signup 1", "../signup", "signup?1", "", "  "]),
        st.text(max_size=20).filter(lambda s: not re.fullmatch(r"[-\w]+", s.strip(), re.ASCII)),
    )
}


def deep(depth: int, inner: bytes = b"") -> bytes:
    return b"[" * depth + inner + b"]" * depth


def oversized(fields: dict[str, object]) -> bytes:
    body = json.dumps(fields).encode()
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(body) + 1
    return json.dumps({**fields, "padding": "a" * padding}).encode()


OVERSIZED = oversized(SIGNUP)


def hostile_body(fields: dict[str, object]) -> st.SearchStrategy[bytes]:
    """Bodies that are not a JSON object of the fields, or too large to read."""
    return st.one_of(
        st.sampled_from([100_000, 1_000]).map(deep),
        st.sampled_from([100_000]).map(lambda depth: b'{"email": ' + deep(depth) + b"}"),
        st.binary(max_size=40),
        st.sampled_from([b"", b"null", b"[]", b'"text"', b"42", b"true", b"{", b"\xff\xfe"]),
        st.lists(st.sampled_from(list(fields.values())), max_size=2).map(
            lambda items: json.dumps(items).encode()
        ),
        st.just(OVERSIZED),
    )


segments = st.one_of(
    st.sampled_from(
        ["%00", "a%00b", "%ED%A0%80", "signup/1", "..", "%2F", "-1", "a" * 5000, "9" * 5000]
    ),
    st.sampled_from(BIG_INTEGERS).map(str),
    st.binary(min_size=1, max_size=20).map(lambda raw: quote_from_bytes(raw, safe="")),
)
query_strings = st.lists(
    st.tuples(st.sampled_from(["email", "id", "limit", "q", "page"]), st.binary(max_size=10))
    | st.tuples(
        st.sampled_from(["id", "limit"]), st.sampled_from(BIG_INTEGERS).map(str).map(str.encode)
    ),
    max_size=3,
).map(lambda pairs: "&".join(f"{key}={quote_from_bytes(value)}" for key, value in pairs))


@dataclass
class Request:
    method: str
    path: str
    content_type: str = "application/json"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@st.composite
def hostile_requests(draw: st.DrawFn, routes: list[tuple[str, str]]) -> Request:
    name, template = draw(st.sampled_from(routes))
    endpoint = ENDPOINTS.get(name)
    placeholders = re.findall(r"<(\w+)>", template)
    if endpoint is None:
        # Django's admin: an anonymous client may send anything anywhere.
        targets = ["anything"]
        endpoint = Endpoint(draw(st.sampled_from(METHODS)), SIGNUP)
    else:
        targets = ["method", *(f"path:{p}" for p in placeholders)]
        if endpoint.fields:
            targets += ["body", "content-type", *(f"field:{f}" for f in endpoint.fields)]
        targets += [f"header:{h}" for h in endpoint.headers]
    target = draw(st.sampled_from(targets))

    method = endpoint.method
    if target == "method":
        method = draw(st.sampled_from([m for m in METHODS if m != endpoint.method]))
    path = template
    for placeholder in placeholders:
        hostile = target in ("anything", f"path:{placeholder}")
        path = path.replace(f"<{placeholder}>", draw(segments) if hostile else SEGMENT, 1)
    request = Request(method, f"{path}?{draw(query_strings)}")

    fields = dict(endpoint.fields)
    if target.startswith("field:"):
        name = target.removeprefix("field:")
        fields[name] = draw(HOSTILE_FIELDS[name])
    request.body = json.dumps({k: v for k, v in fields.items() if v is not MISSING}).encode()
    if target in ("body", "anything"):
        request.body = draw(hostile_body(endpoint.fields))
    if target in ("content-type", "anything"):
        request.content_type = draw(
            st.sampled_from(["", "text/plain", "application/x-www-form-urlencoded"])
        )

    headers = dict(endpoint.headers)
    if target.startswith("header:"):
        name = target.removeprefix("header:")
        headers[name] = draw(HOSTILE_HEADERS[name])
    request.headers = {k: v for k, v in headers.items() if v is not MISSING}
    return request


def row_counts() -> dict[str, int]:
    """The number of rows of every table in every schema of the database."""
    quote_name = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        tables = cursor.fetchall()
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{schema}.{table}', count(*) FROM {quote_name(schema)}.{quote_name(table)}"
                for schema, table in tables
            )
        )
        return dict(cursor.fetchall())


def test_every_url_of_the_app_is_described() -> None:
    assert set(ROUTE_GROUPS) == {*ENDPOINTS, "admin"}


@pytest.mark.usefixtures("dbos")
def test_row_counts_include_the_dbos_system_tables() -> None:
    counts = row_counts()
    assert {"dbos.workflow_status", "dbos.operation_outputs", "public.onboarding_email"} <= set(
        counts
    )


@hypothesis_settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# DBOS's queue thread draws its polling jitter from the random module while
# Hypothesis generates examples, which Hypothesis takes for a strategy's doing.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@pytest.mark.usefixtures("dbos")
@pytest.mark.parametrize("group", ROUTE_GROUPS)
@given(data=st.data())
def test_hostile_request_is_refused_and_writes_nothing(
    client: Client, group: str, data: st.DataObject
) -> None:
    request = data.draw(hostile_requests(ROUTE_GROUPS[group]))
    before = row_counts()
    response = client.generic(
        request.method,
        request.path,
        request.body,
        content_type=request.content_type,
        headers=request.headers,
    )

    assert response.status_code < 500
    assert row_counts() == before
    if response.status_code >= 400 and request.path.split("/")[1] != "admin":
        assert response.status_code in (400, 404, 405, 413, 415)
        if response.status_code != 405:
            assert response["Content-Type"] == "application/json"
            assert response.json()["errors"]
