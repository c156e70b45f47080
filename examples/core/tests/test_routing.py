"""Routes, path converters, function and class-based views, 404 and 405."""

import pytest
from django.test import Client
from django.urls import reverse

from blog.models import Author, Post

pytestmark = pytest.mark.django_db


def test_function_view(client: Client) -> None:
    response = client.get("/hello/")
    assert response.status_code == 200
    assert response.content == b"Hello, world"


def test_class_based_view_answers_get_and_refuses_other_methods(client: Client) -> None:
    assert client.get("/ping/").content == b"pong"
    refused = client.post("/ping/")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS"


def test_named_routes_reverse_to_paths() -> None:
    assert reverse("hello") == "/hello/"
    assert reverse("post-detail", args=[7]) == "/posts/7/"


def test_path_converter_passes_an_int(client: Client) -> None:
    author = Author.objects.create(name="Ada")
    post = Post.objects.create(author=author, title="Engines", body="...")
    response = client.get(f"/posts/{post.pk}/")
    assert response.status_code == 200
    assert response.json() == {"id": post.pk, "author": "Ada", "title": "Engines", "body": "..."}


def test_path_converter_refuses_non_digits_with_the_json_404(client: Client) -> None:
    response = client.get("/posts/abc/")
    assert response.status_code == 404
    assert response.json() == {"error": "not found", "path": "/posts/abc/"}


def test_missing_row_is_a_json_404(client: Client) -> None:
    response = client.get("/posts/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not found"


def test_detail_refuses_post(client: Client) -> None:
    assert client.post("/posts/1/").status_code == 405


def test_outside_the_test_client_csrf_answers_unsafe_methods_first() -> None:
    # The test client skips CSRF checks by default; a real client does not.
    client = Client(enforce_csrf_checks=True)
    assert client.post("/ping/").status_code == 403
    assert client.options("/ping/")["Allow"] == "GET, HEAD, OPTIONS"
