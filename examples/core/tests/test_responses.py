"""JSON responses with headers, templates, and the request-id middleware."""

import re

import pytest
from django.test import Client

from blog.models import Author, Post

pytestmark = pytest.mark.django_db


def test_template_renders_latest_posts(client: Client) -> None:
    author = Author.objects.create(name="Linus")
    post = Post.objects.create(author=author, title="Kernels")
    response = client.get("/")
    assert response.templates[0].name == "blog/home.html"
    assert b"<h1>Latest posts</h1>" in response.content
    link = f'<a href="/posts/{post.pk}/">Kernels</a> by Linus'
    assert link.encode() in response.content


def test_empty_home_page(client: Client) -> None:
    assert b"No posts yet." in client.get("/").content


def test_request_id_is_generated(client: Client) -> None:
    first = client.get("/hello/")["X-Request-ID"]
    second = client.get("/hello/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_caller_request_id_is_kept(client: Client) -> None:
    response = client.get("/hello/", headers={"X-Request-ID": "support-1234"})
    assert response["X-Request-ID"] == "support-1234"


def test_unsafe_caller_request_id_is_replaced(client: Client) -> None:
    response = client.get("/hello/", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_errors_carry_the_request_id_too(client: Client) -> None:
    response = client.get("/nowhere/", headers={"X-Request-ID": "abc"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "abc"
