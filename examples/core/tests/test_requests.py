"""Query parameters and JSON bodies, with the errors a client can cause."""

import json

import pytest
from django.test import Client

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
        ("title=Hello", "application/x-www-form-urlencoded", 415, "expected application/json"),
        ("{not json", "application/json", 400, "invalid JSON"),
        (b"\xff\xfe", "application/json", 400, "invalid JSON"),
        ("[1, 2]", "application/json", 400, "expected a JSON object"),
        ('{"author": 1}', "application/json", 400, "title is required"),
        ('{"author": "1", "title": "x"}', "application/json", 400, "author must be"),
        ('{"author": 999999, "title": "x"}', "application/json", 400, "author must be"),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(
    client: Client, author: Author, body: str, content_type: str, status: int, error: str
) -> None:
    response = post_json(client, body, content_type)
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert not Post.objects.exists()


def test_other_methods_are_405(client: Client) -> None:
    response = client.put("/posts/", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
