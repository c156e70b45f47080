"""Hostile input at every URL: never a server error, never a row written.

Two tests per class of hostile input (NUL characters, strings longer than
their column, huge and negative integers, deeply nested JSON, lone
surrogates, JSON values of the wrong type, bodies not declared as JSON,
bodies over DATA_UPLOAD_MAX_MEMORY_SIZE), with input that Hypothesis
generates:

- each view that writes gets bodies that start from a payload it accepts,
  with one or more fields made hostile, so that the check of every field is
  reached; it must refuse them with a JSON error that names such a field;
- every URL of the URLconf (read from it, so that a new URL is covered as
  soon as it exists) gets the same hostile input in its path parameters, a
  query parameter or the body, and must answer below 500.

Either way no table in the database may change.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.http import HttpResponse
from django.test import Client
from django.test.client import FakePayload
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bank.models import Customer, Order, Product

APP = "bank"
# Hypothesis examples per input class: hostile bodies for the views that write,
# and sweeps of one hostile input over every URL.
BODIES = 25
SWEEPS = 6
REFUSED = {400, 404, 405, 413, 415, 422}
# What the views read from the query string (nothing); the fields' names are tried too.
QUERY_PARAMETERS: list[str] = []
HUGE_INTEGERS = [2**31, 2**63, 10**30, -1, -(2**63) - 1]
DEPTHS = st.sampled_from([3, 1_000, 100_000])
# Where a sweep puts its hostile input, and the methods it sends it with.
PLACES = {
    "body": ["POST", "PUT", "PATCH"],
    "query": ["GET", "HEAD", "POST"],
    "path": ["GET", "POST", "DELETE"],
}
NOT_JSON = [None, "", "text/plain", "application/x-www-form-urlencoded", "text/json"]
# Text that strip() leaves as it is: letters, digits, punctuation and symbols.
VISIBLE = st.characters(codec="utf-8", categories=["L", "N", "P", "S"])
OTHER_JSON = st.one_of(
    st.booleans(),
    st.none(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def containing(part: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.text(max_size=8), part, st.text(max_size=8)).map("".join)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


NUL = containing(st.just("\x00"))
SURROGATE = containing(st.characters(categories=["Cs"]))


def kind(field: models.Field) -> str:
    """What a JSON value for ``field`` is: a list, an integer, a decimal, a UUID or text."""
    if field.many_to_many:
        return "list"
    column = field.target_field if field.is_relation else field
    for name, type_ in [
        ("integer", models.IntegerField),
        ("decimal", models.DecimalField),
        ("uuid", models.UUIDField),
    ]:
        if isinstance(column, type_):
            return name
    return "text"


def hostile_values(input_class: str, field: models.Field) -> st.SearchStrategy[Any] | None:
    """JSON values of the input class that ``field`` must refuse; None if there are none."""
    match input_class, kind(field):
        case "wrong-type", "list":
            return OTHER_JSON | st.text() | st.lists(OTHER_JSON | st.integers(), min_size=1)
        case _, "list":
            items = hostile_values(input_class, field.target_field)
            return None if items is None else st.lists(items, min_size=1, max_size=2)
        case "nul", _:
            return NUL
        case "surrogate", _:
            return SURROGATE
        case "too-long", "text":
            if field.max_length is None:
                return None  # a TextField: only the limit on the body's size applies
            return st.text(VISIBLE, min_size=field.max_length + 1, max_size=field.max_length + 40)
        case "too-long", "decimal":
            return st.integers(10**field.max_digits, 10 ** (field.max_digits + 20)).map(str)
        case "too-long", _:
            return st.text(VISIBLE, min_size=300, max_size=400)
        case "huge-integer", "decimal":
            # Prices are not negative, and have max_digits - decimal_places before the point.
            limit = 10 ** (field.max_digits - field.decimal_places)
            return st.sampled_from([n for n in HUGE_INTEGERS if not 0 <= n < limit])
        case "huge-integer", _:
            return st.sampled_from(HUGE_INTEGERS)
        case "wrong-type", "integer":
            return OTHER_JSON | st.text()
        case "wrong-type", "decimal":
            return (
                st.booleans()
                | st.none()
                | st.lists(st.integers())
                | st.dictionaries(st.text(), st.integers())
            )
        case "wrong-type", _:
            return OTHER_JSON | st.integers()
    return None


@dataclass(frozen=True)
class InputClass:
    """One class of hostile input, and what it puts in a path segment or query parameter."""

    name: str
    text: st.SearchStrategy[str] | None = None  # None: the class is about bodies only


CLASSES = [
    InputClass("nul", NUL),
    InputClass("too-long", st.text(VISIBLE, min_size=300, max_size=400)),
    InputClass("huge-integer", st.sampled_from([*HUGE_INTEGERS, 0]).map(str)),
    InputClass("deep-json", st.sampled_from([3, 1_000]).map(nested)),
    InputClass("surrogate", SURROGATE),
    InputClass("wrong-type", st.sampled_from(["true", "null", "1.5", "[]", "٣"])),
    InputClass("content-type"),
    InputClass("oversized"),
]


@dataclass(frozen=True)
class Route:
    template: str  # "customer/%(pk)s/"
    params: tuple[str, ...]
    ours: bool  # served by the project's views, not by django.contrib's


def walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern.removeprefix("^")
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, regex)
            continue
        ours = not pattern.callback.__module__.startswith("django.")
        for template, params in normalize(regex):
            yield Route(template, tuple(params), ours)


@cache
def routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


@dataclass
class World:
    """The database the requests meet, and what the test knows of the views."""

    segments: dict[str, str]  # a valid value for the path parameters that have one
    payloads: dict[str, tuple[type[models.Model], dict[str, Any]]]  # by route template
    tables: list[str]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints the arguments of a failing example: this one was not drawn.
        printer.text("World(...)")

    def snapshot(self) -> dict[str, tuple[int, str]]:
        """Each table's row count and a digest of its rows."""
        selects = [
            f"SELECT '{table}', count(*), "
            f"md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) FROM {table} AS r"
            for table in self.tables
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects))
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def all_tables() -> list[str]:
    """Every table in the database, Django's and any other."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) "
            "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return [table for (table,) in cursor.fetchall()]


@pytest.fixture
def world(transactional_db: None) -> World:
    carl = Customer.objects.create(name="Carl")
    pen = Product.objects.create(name="Pen", price="1.50", stock=3)
    return World(
        segments={"pk": str(carl.pk)},
        payloads={
            "customer/": (Customer, {"name": "Ada"}),
            "product/": (Product, {"name": "Ink", "price": "4.25", "stock": 1}),
            "order/": (Order, {"customer": str(carl.pk), "products": [str(pen.pk)]}),
        },
        tables=all_tables(),
    )


@dataclass
class Request:
    method: str
    path: str  # percent-encoded, as on the request line
    query: str = ""
    body: bytes = b""
    content_type: str | None = None


def send(client: Client, request: Request) -> HttpResponse:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        # WSGI passes the decoded path's bytes in a latin-1 string.
        "PATH_INFO": unquote_to_bytes(request.path).decode("latin-1"),
        "QUERY_STRING": request.query,
    }
    if request.body:
        environ["CONTENT_LENGTH"] = str(len(request.body))
        environ["wsgi.input"] = FakePayload(request.body)
    if request.content_type is not None:
        environ["CONTENT_TYPE"] = request.content_type
    return client.request(**environ)


def encoded(text: str) -> str:
    """``text`` percent-encoded as UTF-8, lone surrogates included (as a client can)."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


def app_fields() -> list[models.Field]:
    return [
        field
        for model in apps.get_app_config(APP).get_models()
        for field in [*model._meta.fields, *model._meta.many_to_many]
    ]


def draw_body(
    draw: st.DrawFn, hostile: InputClass, fields: list[models.Field], payload: dict[str, Any]
) -> tuple[bytes, str | None, frozenset[str]]:
    """A hostile body, its content type, and the names its refusal may give.

    ``payload`` is one that the view accepts, and ``fields`` are its fields;
    or it is empty, and ``fields`` are all the fields of the app's models.
    """
    payload = dict(payload)
    if hostile.name == "content-type":
        content_type = draw(st.sampled_from(NOT_JSON))
        return json.dumps(payload).encode(), content_type, frozenset({"Content-Type"})
    if hostile.name == "oversized":
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + draw(st.integers(1, 100))
        payload[draw(st.sampled_from(fields)).name] = "x" * size
        return json.dumps(payload).encode(), "application/json", frozenset({"body"})
    if hostile.name == "deep-json":
        name = draw(st.sampled_from(fields)).name
        payload[name] = "NESTED"
        text = json.dumps(payload).replace('"NESTED"', nested(draw(DEPTHS)))
        return text.encode(), "application/json", frozenset({name, "body"})
    strategies = {field.name: hostile_values(hostile.name, field) for field in fields}
    eligible = sorted(name for name, strategy in strategies.items() if strategy is not None)
    chosen = draw(st.lists(st.sampled_from(eligible), min_size=1, max_size=3, unique=True))
    for name in chosen:
        payload[name] = draw(strategies[name])
    note(f"payload: {payload!r}")
    return json.dumps(payload).encode(), "application/json", frozenset(chosen)


def check_answer(route: Route, request: Request, response: HttpResponse) -> None:
    """Below 500, and from the project's views a JSON error or a 405 with Allow."""
    status = response.status_code
    assert status < 500, (request, response.content[:300])
    if route.ours and status >= 400 and request.method != "HEAD":
        if status == 405:
            assert response.has_header("Allow"), request
        else:
            assert "error" in response.json(), (request, response.content[:300])


hypothesis_settings.register_profile(
    "hostile",
    deadline=None,  # speed is measured by benchmarks, not here
    database=None,  # keep no example database inside the project
    suppress_health_check=[
        # The database is set up once for all examples on purpose: each must leave it as it was.
        HealthCheck.function_scoped_fixture,
        # Generating the long strings is slow on a loaded machine; that is not under test.
        HealthCheck.too_slow,
    ],
)
ON_EVERY_CLASS = pytest.mark.parametrize("hostile", CLASSES, ids=[c.name for c in CLASSES])


def test_the_starting_payloads_are_accepted(world: World) -> None:
    """Otherwise every hostile body would be refused for another reason."""
    for template, (_, payload) in world.payloads.items():
        response = Client().post(f"/{template}", payload, content_type="application/json")
        assert response.status_code == 201, (template, response.content)


@ON_EVERY_CLASS
@hypothesis_settings(hypothesis_settings.get_profile("hostile"), max_examples=BODIES)
@given(data=st.data())
def test_the_views_that_write_refuse_hostile_bodies(
    world: World, hostile: InputClass, data: st.DataObject
) -> None:
    template = data.draw(st.sampled_from(sorted(world.payloads)))
    model, payload = world.payloads[template]
    fields = [model._meta.get_field(name) for name in payload]
    body, content_type, blamed = draw_body(data.draw, hostile, fields, payload)
    request = Request("POST", f"/{template}", body=body, content_type=content_type)
    before = world.snapshot()
    response = send(Client(), request)
    assert response.status_code in REFUSED, (request, response.content[:300])
    error = response.json()["error"]
    assert error.partition(":")[0] in blamed, (request, error)
    assert world.snapshot() == before, (request, "changed the database")


@ON_EVERY_CLASS
@hypothesis_settings(hypothesis_settings.get_profile("hostile"), max_examples=SWEEPS)
@given(data=st.data())
def test_every_url_survives_hostile_input_and_writes_nothing(
    world: World, hostile: InputClass, data: st.DataObject
) -> None:
    """Each example sends one hostile input to every URL of the URLconf, in one place:
    the body, a query parameter, or the path's parameters (the query where it has none)."""
    place = data.draw(st.sampled_from(["body"] if hostile.text is None else list(PLACES)))
    method = data.draw(st.sampled_from(PLACES[place]), label="method")
    if place == "body":
        body, content_type, _ = draw_body(data.draw, hostile, app_fields(), {})
    else:
        text = encoded(data.draw(hostile.text, label="text"))
        names = QUERY_PARAMETERS + [field.name for field in app_fields()]
        query = f"{data.draw(st.sampled_from(names), label='query parameter')}={text}"
    client = Client()
    accepted = []
    before = world.snapshot()
    for route in routes():
        valid = {name: encoded(world.segments.get(name, "1")) for name in route.params}
        path = "/" + route.template % valid
        if place == "body":
            request = Request(method, path, body=body, content_type=content_type)
        elif place == "path" and route.params:
            request = Request(method, "/" + route.template % dict.fromkeys(route.params, text))
        else:
            request = Request(method, path, query)
        response = send(client, request)
        check_answer(route, request, response)
        if response.status_code < 400:
            accepted.append(request.path)
    # One check per sweep keeps it fast; Hypothesis prints the sweep's input if it fails.
    assert world.snapshot() == before, f"the sweep changed the database; accepted: {accepted}"
