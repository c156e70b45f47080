"""Query parameters and JSON bodies, with the errors a client can cause."""

import json

import pytest
from django.test import Client, override_settings

from blog.models import Author, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author() -> Author:
    return Author.objects.create(name="Grace")


def post_json(client: Client, body: object, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/posts/", data=data, content_type=content_type)


def test_query_parameters_filter_and_paginate(client: Client, author: Author) -> None:
    Post.objects.bulk_create(
        [Post(author=author, title=f"Django tip {n}") for n in range(12)]
        + [Post(author=author, title="Compilers")]
    )
    first = client.get("/posts/", {"q": "django"}).json()
    assert (first["page"], first["pages"], len(first["results"])) == (1, 2, 10)
    second = client.get("/posts/", {"q": "django", "page": "2"}).json()
    assert [p["title"] for p in second["results"]] == ["Django tip 10", "Django tip 11"]


def test_bad_page_number_is_400_and_missing_page_is_404(client: Client, author: Author) -> None:
    assert client.get("/posts/", {"page": "two"}).status_code == 400
    assert client.get("/posts/", {"page": "5"}).status_code == 404


def test_create_returns_201_with_location(client: Client, author: Author) -> None:
    response = post_json(client, {"author": author.pk, "title": "Hello", "body": "Text"})
    assert response.status_code == 201
    created = Post.objects.get()
    assert response["Location"] == f"/posts/{created.pk}/"
    assert response.json() == {
        "id": created.pk,
        "author": "Grace",
        "title": "Hello",
        "body": "Text",
    }


@pytest.mark.parametrize(
    ("body", "content_type", "status", "error"),
    [
        ("title=Hello", "application/x-www-form-urlencoded", 415, "Content-Type: expected appl"),
        ('{"author": AUTHOR, "title": "x"}', "text/plain", 415, "Content-Type: expected appl"),
        ('{"author": AUTHOR, "title": "x"}', "", 415, "Content-Type: expected appl"),
        ("{not json", "application/json", 400, "body: invalid JSON"),
        (b"\xff\xfe", "application/json", 400, "body: invalid JSON"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "body: invalid JSON"),
        ("[1, 2]", "application/json", 400, "body: expected a JSON object"),
        ('{"author": AUTHOR}', "application/json", 400, "title: required"),
        ('{"author": AUTHOR, "title": "  "}', "application/json", 400, "title: This field cannot"),
        ('{"author": AUTHOR, "title": 123}', "application/json", 400, "title: expected a string"),
        ('{"author": AUTHOR, "title": "a\\u0000"}', "application/json", 400, "title: NUL char"),
        ('{"author": AUTHOR, "title": "\\ud800"}', "application/json", 400, "title: lone surr"),
        ('{"author": AUTHOR, "title": "TOO_LONG"}', "application/json", 400, "title: Ensure th"),
        ('{"author": AUTHOR, "title": "x", "body": {}}', "application/json", 400, "body: expected"),
        ('{"author": "1", "title": "x"}', "application/json", 400, "author: expected an integer"),
        ('{"author": true, "title": "x"}', "application/json", 400, "author: expected an integer"),
        ('{"author": 999999, "title": "x"}', "application/json", 400, "author: author instance"),
        ('{"author": 1e30, "title": "x"}', "application/json", 400, "author: expected an integer"),
        (f'{{"author": {2**63}, "title": "x"}}', "application/json", 400, "author: author inst"),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(
    client: Client, author: Author, body: str, content_type: str, status: int, error: str
) -> None:
    if isinstance(body, str):
        body = body.replace("AUTHOR", str(author.pk)).replace("TOO_LONG", "x" * 201)
    response = post_json(client, body, content_type)
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert not Post.objects.exists()


def test_limits_come_from_the_model_fields(client: Client, author: Author) -> None:
    longest = "x" * Post._meta.get_field("title").max_length
    assert post_json(client, {"author": author.pk, "title": longest}).status_code == 201
    response = post_json(client, {"author": author.pk, "title": longest + "x"})
    assert response.json() == {
        "error": "title: Ensure this value has at most 200 characters (it has 201)."
    }


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_upload_limit_is_413(client: Client, author: Author) -> None:
    response = post_json(client, {"author": author.pk, "title": "x" * 100})
    assert response.status_code == 413
    assert response.json() == {"error": "body: larger than 100 bytes"}
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("page=-1", 400, "page: must be 1 or more"),
        ("page=0", 400, "page: must be 1 or more"),
        ("page=1.5", 400, "page: expected a whole number"),
        (f"page={2**63}", 404, f"page: {2**63} does not exist"),
        ("q=a%00b", 400, "q: NUL characters are not allowed"),
        ("page=%00", 400, "page: expected a whole number"),
    ],
)
def test_bad_query_parameters_are_refused(
    client: Client, query: str, status: int, error: str
) -> None:
    response = client.get(f"/posts/?{query}")
    assert (response.status_code, response.json()) == (status, {"error": error})


def test_a_surrogate_in_the_query_string_arrives_replaced(client: Client, author: Author) -> None:
    # Django decodes the query string with errors="replace": no lone surrogate gets through.
    response = client.get("/posts/?q=%ED%A0%80")
    assert response.status_code == 200
    assert response.json()["q"] == "\ufffd\ufffd\ufffd"


def test_other_methods_are_405(client: Client) -> None:
    response = client.put("/posts/", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
