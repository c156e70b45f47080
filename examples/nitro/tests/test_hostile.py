"""Hostile input at every URL of the project: refused, never a server error, nothing written.

Hypothesis throws the kinds of input that used to reach PostgreSQL unchecked
(NUL bytes, lone surrogates, strings longer than their column, integers
beyond their column or range, fractions, JSON of the wrong type, JSON nested
100,000 deep, bodies that are not JSON or larger than
``DATA_UPLOAD_MAX_MEMORY_SIZE``) into the path, the query string and the body
of every URL of Django's URLconf and of the mounted FastAPI app, served by a
real uvicorn. What a parameter accepts is read from the definitions the
application validates against: the entity's fields and the actions'
annotations.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from nitro.domain.repository.sql import SQLModelRepository
from pydantic import TypeAdapter
from sqlalchemy import text

from mysite.asgi import application
from todos.api import dispatcher
from todos.entities import Todo
from todos.models import Project

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = "a" * 32
BIG_INTEGERS = [2**31, 2**63, 10**30]
# A valid value of each kind, for the parameters an example leaves alone.
VALID = {"string": "ok", "integer": 1}
# An existing project and to-do, so that views and actions get as far as their parameters.
PROJECT_ID = 1
TODO_ID = "milk"
JSON = {"X-CSRFToken": CSRF_TOKEN, "Content-Type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One URL template and method, with what its path and its action take."""

    template: str
    method: str
    path_kinds: dict[str, str]
    # Whether a Nitro action is served there, and the JSON schema of each of its parameters.
    action: bool
    parameters: dict[str, dict[str, Any]]


def _template(route: str) -> tuple[str, list[str]]:
    """``todo/<str:id>`` or ``^(?P<id>...)$`` as ``todo/{id}``, with the placeholders' names."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return route.lstrip("^").removesuffix("$"), re.findall(r"\{(\w+)\}", route)


def _django_routes(patterns: list[Any], prefix: str = "/") -> Iterator[tuple[str, dict[str, str]]]:
    for pattern in patterns:
        route = pattern.pattern
        template, names = _template(
            route._route if isinstance(route, RoutePattern) else route._regex
        )
        converters = getattr(route, "converters", {})
        kinds = {
            n: "integer" if isinstance(converters.get(n), IntConverter) else "string" for n in names
        }
        if isinstance(pattern, URLResolver):
            for inner, inner_kinds in _django_routes(pattern.url_patterns, prefix + template):
                yield inner, kinds | inner_kinds
        elif isinstance(pattern, URLPattern):
            yield prefix + template, kinds


def _parameter_schemas(entity_class: type, method: Any) -> dict[str, dict[str, Any]]:
    fields = entity_class.model_json_schema()["properties"]
    return {
        name: fields.get(name) or TypeAdapter(parameter.annotation).json_schema()
        for name, parameter in inspect.signature(method).parameters.items()
        if name not in ("self", "cls")
    }


def endpoints() -> list[Endpoint]:
    """Every route of Django's URLconf and of the FastAPI app mounted beside it."""
    actions = {
        (
            metadata.generate_url_path("", getattr(entity, "__route_name__", None)),
            metadata.method,
        ): _parameter_schemas(entity, method)
        for entity, entity_actions in dispatcher.routes.items()
        for method, metadata in entity_actions.values()
    }
    routes = list(_django_routes(get_resolver().url_patterns))
    for mount in application.routes:
        for route in getattr(mount.app, "routes", None) or []:
            template, names = _template(route.path)
            routes.append((mount.path + template, dict.fromkeys(names, "string")))
    found = []
    for template, kinds in dict(routes).items():
        served = {
            method: parameters
            for (path, method), parameters in actions.items()
            if template.endswith(path) and "{" not in template.removesuffix(path)
        }
        for method in served or ["GET", "POST", "PUT", "DELETE"]:
            found.append(Endpoint(template, method, kinds, bool(served), served.get(method, {})))
    return found


ENDPOINTS = endpoints()
# Names a query string may carry: every action's parameters, and the admin's "next".
QUERY_NAMES = sorted({name for e in ENDPOINTS for name in e.parameters} | {"next"})


def _non_null(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of the non-null alternative, and whether null is allowed."""
    choices = schema.get("anyOf", [schema])
    allowed = [choice for choice in choices if choice.get("type") != "null"]
    return allowed[0], len(allowed) < len(choices)


def _with(chars: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text with one of ``chars`` somewhere in it."""
    return st.tuples(st.text(max_size=5), chars, st.text(max_size=5)).map("".join)


NUL = _with(st.just("\x00"))
SURROGATE = _with(st.integers(0xD800, 0xDFFF).map(chr))
WRONG_TYPES = st.one_of(
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _too_long(schema: dict[str, Any]) -> list[st.SearchStrategy[str]]:
    if "maxLength" not in schema:
        return []
    return [st.text(min_size=schema["maxLength"] + 1, max_size=schema["maxLength"] + 100)]


def _out_of_range(schema: dict[str, Any]) -> list[int]:
    maximum, minimum = schema.get("maximum"), schema.get("minimum")
    above = [n for n in BIG_INTEGERS if maximum is None or n > maximum]
    if maximum is not None:
        above.append(maximum + 1)
    below = [minimum - 1, -1] if minimum is not None and minimum > -1 else []
    return above + below


def hostile_json(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values the parameter must refuse."""
    schema, nullable = _non_null(schema)
    wrong = [WRONG_TYPES] if nullable else [WRONG_TYPES, st.none()]
    if schema["type"] == "string":
        return st.one_of(NUL, SURROGATE, *_too_long(schema), st.integers(), st.floats(), *wrong)
    fractions = st.one_of(
        st.integers(-(10**6), 10**6).map(lambda n: n + 0.5),
        st.sampled_from([float("nan"), float("inf")]),
    )
    numeric_text = st.sampled_from(["5", "1"])
    return st.one_of(st.sampled_from(_out_of_range(schema)), fractions, numeric_text, *wrong)


def hostile_text(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Query-string values the parameter must refuse.

    No lone surrogates: a URL holds bytes, and both servers decode invalid
    UTF-8 in it to U+FFFD, which is valid text.
    """
    schema, _ = _non_null(schema)
    if schema["type"] == "string":
        return st.one_of(NUL, *_too_long(schema))
    not_integers = st.sampled_from(["", "1.5", "true", "five", "NaN"])
    return st.one_of(st.sampled_from([str(n) for n in _out_of_range(schema)]), not_integers, NUL)


# A lone surrogate, as the bytes a URL would carry: sent as it is, never quoted again.
ENCODED_SURROGATE = "%ED%A0%80"

# For any placeholder of a path: entity ids, Django's project ids, the admin's object ids.
HOSTILE_SEGMENT = st.one_of(
    NUL,
    st.just(ENCODED_SURROGATE),
    *_too_long(Todo.model_json_schema()["properties"]["id"]),
    st.sampled_from([str(n) for n in BIG_INTEGERS] + ["9" * 5000, "-1", "1.5"]),
)


@dataclasses.dataclass
class Attack:
    endpoint: Endpoint
    url: str
    headers: dict[str, str]
    content: bytes | None
    # Where the hostile input is: a path segment, the query string or the body.
    place: str
    # The action's parameter that holds it, if one does.
    parameter: str | None = None


def _segment(value: str) -> str:
    # Generated text may start with "%" too ("%\x00"): only the encoded surrogate is kept.
    return value if value == ENCODED_SURROGATE else quote(value, safe="")


def _query(values: dict[str, str]) -> str:
    return "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in values.items())


def _bodies(valid: dict[str, Any]) -> st.SearchStrategy[tuple[str | None, bytes]]:
    """Bodies to refuse whole, with their content type: the valid parameters
    sent as something else than JSON, or too big; JSON too deep, or no object."""
    plain = json.dumps(valid).encode()
    rest = b"," + plain[1:] if valid else b"}"
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len(plain)
    # Built only when drawn: megabytes each.
    json_bodies = st.sampled_from(
        [
            lambda: plain + b" " * too_big,
            lambda: b'{"deep": ' + DEEP + rest,
            lambda: b"[" + plain + b"]",
        ]
    ).map(lambda build: build())
    return st.one_of(
        st.tuples(st.sampled_from(["text/plain", None]), st.just(plain)),
        st.tuples(st.just("application/json"), json_bodies),
    )


@st.composite
def attacks(draw: st.DrawFn) -> Attack:
    """A request to one endpoint with one hostile thing in it, and valid values elsewhere."""
    # Half at the actions, which take most of the parameters; half at all the other URLs.
    endpoint = draw(
        st.one_of(
            st.sampled_from([e for e in ENDPOINTS if e.action]),
            st.sampled_from([e for e in ENDPOINTS if not e.action]),
        )
    )
    valid = {
        name: VALID[_non_null(schema)[0]["type"]] for name, schema in endpoint.parameters.items()
    }
    path = {
        name: TODO_ID if kind == "string" else str(PROJECT_ID)
        for name, kind in endpoint.path_kinds.items()
    }
    place = draw(st.sampled_from(["body", "query"] + (["path"] if path else [])))
    headers = dict(JSON)
    query: dict[str, Any] = {}
    body: bytes | None = json.dumps(valid).encode()
    parameter = None
    if place == "path":
        path[draw(st.sampled_from(sorted(path)))] = draw(HOSTILE_SEGMENT)
    elif place == "query" and valid:
        parameter = draw(st.sampled_from(sorted(valid)))
        query = valid | {parameter: draw(hostile_text(endpoint.parameters[parameter]))}
        body = None
    elif place == "query":
        # No parameters here: a hostile value under any name, to be ignored.
        query = {draw(st.sampled_from(QUERY_NAMES)): draw(st.one_of(NUL, st.text()))}
    elif valid and draw(st.booleans()):
        parameter = draw(st.sampled_from(sorted(valid)))
        hostile = draw(hostile_json(endpoint.parameters[parameter]))
        body = json.dumps(valid | {parameter: hostile}).encode()
    else:
        content_type, body = draw(_bodies(valid))
        del headers["Content-Type"]
        headers |= {"Content-Type": content_type} if content_type else {}
    url = endpoint.template.format(**{name: _segment(value) for name, value in path.items()})
    query_string = _query({name: str(value) for name, value in query.items()})
    return Attack(
        endpoint, url + ("?" + query_string if query else ""), headers, body, place, parameter
    )


@pytest.fixture
def count_rows() -> Callable[[], dict[str, int]]:
    """A function that counts the rows of every table of the database, Django's and SQLModel's."""
    tables = connection.introspection.table_names()
    expected = {model._meta.db_table for model in apps.get_models()} | {Todo.__tablename__}
    assert expected <= set(tables)
    counts = ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables)

    def count() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")
            return dict(zip(tables, cursor.fetchone(), strict=True))

    return count


@pytest.fixture
def client(asgi_server: str) -> Iterator[httpx.Client]:
    cookies = {"csrftoken": CSRF_TOKEN}
    with httpx.Client(base_url=asgi_server, cookies=cookies, timeout=30) as client:
        yield client


@pytest.fixture
def project() -> Project:
    return Project.objects.create(pk=PROJECT_ID, name="Home")


def restore_todo() -> None:
    """The project's one to-do, as it was: an example may have completed or deleted it."""
    with SQLModelRepository().engine.begin() as nitro:
        nitro.execute(text(f"DELETE FROM {Todo.__tablename__}"))
        nitro.execute(
            text(f"INSERT INTO {Todo.__tablename__} VALUES (:id, 'Buy milk', false, :project)"),
            {"id": TODO_ID, "project": PROJECT_ID},
        )


# Inputs found by hand before this test existed: (method, URL template, URL, body,
# where the hostile input is, the parameter that holds it).
KNOWN = [
    (
        "GET",
        "/projects/{project_id}/todos/stream/",
        f"/projects/{2**63}/todos/stream/",
        None,
        "path",
        None,
    ),
    ("GET", "/api/todo/search", "/api/todo/search?limit=-1", None, "query", "limit"),
    ("GET", "/api/todo/search", "/api/todo/search?q=%00", None, "query", "q"),
    (
        "POST",
        "/api/todo/create",
        "/api/todo/create",
        b'{"id": "a", "title": "b", "project_id": 1.5}',
        "body",
        "project_id",
    ),
    (
        "POST",
        "/api/todo/create",
        "/api/todo/create",
        b'{"id": "a", "title": "b", "project_id": 2147483648}',
        "body",
        "project_id",
    ),
    (
        "POST",
        "/api/todo/create",
        "/api/todo/create",
        b'{"id": "a", "title": "b", "project_id": ' + DEEP + b"}",
        "body",
        None,
    ),
    ("PUT", "/api/todo/{id}/title", "/api/todo/milk/title", b'{"title": 123}', "body", "title"),
    (
        "PUT",
        "/fastapi/todo/{id}/title",
        "/fastapi/todo/milk/title",
        b'{"title": 123}',
        "body",
        "title",
    ),
    (
        "PUT",
        "/api/todo/{id}/title",
        "/api/todo/milk/title",
        b'{"title": "\\ud800"}',
        "body",
        "title",
    ),
    (
        "PUT",
        "/api/todo/{id}/title",
        "/api/todo/milk/title",
        b'{"title": "' + b"x" * 201 + b'"}',
        "body",
        "title",
    ),
    ("POST", "/todos/{todo_id}/complete/", "/todos/%00/complete/", None, "path", None),
    ("POST", "/fastapi/todo/{id}/complete", "/fastapi/todo/%00/complete", None, "path", None),
]


def with_known_inputs(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` on the known inputs too, whatever Hypothesis draws besides."""
    for method, template, url, body, place, parameter in KNOWN:
        endpoint = next(e for e in ENDPOINTS if (e.method, e.template) == (method, template))
        test = example(attack=Attack(endpoint, url, JSON, body, place, parameter))(test)
    return test


@with_known_inputs
@hypothesis_settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attack=attacks())
def test_hostile_input_is_refused_and_writes_nothing(
    client: httpx.Client,
    project: Project,
    count_rows: Callable[[], dict[str, int]],
    attack: Attack,
) -> None:
    restore_todo()
    before = count_rows()
    request = client.build_request(
        attack.endpoint.method, attack.url, headers=attack.headers, content=attack.content
    )
    # Not read unless an error: an event stream that wrongly starts would never end.
    response = client.send(request, stream=True)
    try:
        if response.status_code >= 400:
            response.read()
    finally:
        response.close()
    assert response.status_code < 500
    after = count_rows()
    assert all(after[table] <= count for table, count in before.items()), (before, after)
    if attack.place == "path":
        # A segment no resource can have: the stream of project 2**63 is a 404, not an endless 200.
        assert not 200 <= response.status_code < 300
    if attack.parameter is not None:
        assert response.status_code == 422
        assert f"'{attack.parameter}'" in response.text
    if response.status_code in (400, 404, 413, 415, 422):
        assert isinstance(response.json(), dict)
