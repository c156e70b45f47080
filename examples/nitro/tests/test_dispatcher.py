"""The Django dispatcher, case by case, through Django's test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from todos.entities import Todo

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def milk() -> Todo:
    return Todo.create(id="milk", title="Buy milk", project_id=1)


def test_routes_are_nitros_paths_with_reversible_names() -> None:
    assert reverse("nitro:todo-create") == "/api/todo/create"
    assert reverse("nitro:todo-complete", kwargs={"id": "milk"}) == "/api/todo/milk/complete"
    assert reverse("nitro:todo-title", kwargs={"id": "milk"}) == "/api/todo/milk/title"
    assert reverse("nitro:todo-search") == "/api/todo/search"
    assert reverse("nitro:todo", kwargs={"id": "milk"}) == "/api/todo/milk"


def test_class_method_action_creates_with_its_status_code(client: Client) -> None:
    body = {"id": "milk", "title": "Buy milk", "project_id": 1}
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 201
    assert response.json() == {**body, "completed": False}
    assert Todo.get("milk").title == "Buy milk"


def test_instance_action_loads_the_entity(client: Client, milk: Todo) -> None:
    response = client.post(reverse("nitro:todo-complete", kwargs={"id": "milk"}))
    assert response.status_code == 200
    assert response.json()["completed"] is True
    assert Todo.get("milk").completed is True


def test_unknown_id_is_404(client: Client) -> None:
    response = client.post(reverse("nitro:todo-complete", kwargs={"id": "nope"}))
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "entity_not_found"


def test_wrong_method_is_405_with_allow(client: Client, milk: Todo) -> None:
    response = client.get(reverse("nitro:todo-complete", kwargs={"id": "milk"}))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_several_methods_share_one_url(client: Client, milk: Todo) -> None:
    url = reverse("nitro:todo-title", kwargs={"id": "milk"})
    assert client.get(url).json() == {"id": "milk", "title": "Buy milk"}
    renamed = client.put(url, {"title": "Buy oat milk"}, content_type=JSON)
    assert renamed.json() == {"id": "milk", "title": "Buy oat milk"}
    assert client.get(url).json()["title"] == "Buy oat milk"
    refused = client.delete(url)
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, PUT"


def test_empty_json_body_sends_no_parameters(client: Client, milk: Todo) -> None:
    url = reverse("nitro:todo-title", kwargs={"id": "milk"})
    # The test client drops Content-Type for an empty body; curl -X PUT -H ... sends it.
    response = client.put(url, "", CONTENT_TYPE=JSON)
    assert response.status_code == 422
    assert "'title' is missing" in response.json()["error"]["message"]


def test_blank_rename_is_422(client: Client, milk: Todo) -> None:
    url = reverse("nitro:todo-title", kwargs={"id": "milk"})
    response = client.put(url, {"title": " "}, content_type=JSON)
    assert response.status_code == 422
    assert Todo.get("milk").title == "Buy milk"


def test_body_wins_over_query_string(client: Client, milk: Todo) -> None:
    url = reverse("nitro:todo-title", kwargs={"id": "milk"}) + "?title=from-query"
    response = client.put(url, {"title": "from-body"}, content_type=JSON)
    assert response.json()["title"] == "from-body"


def test_query_parameters_are_converted(client: Client) -> None:
    for id, title in [("a", "Buy milk"), ("b", "Buy bread"), ("c", "Call mum")]:
        Todo.create(id=id, title=title, project_id=1)
    url = reverse("nitro:todo-search")
    assert [t["id"] for t in client.get(url, {"q": "buy", "limit": "1"}).json()] == ["a"]
    assert [t["id"] for t in client.get(url).json()] == ["a", "b", "c"]
    assert client.get(url, {"q": "nothing"}).json() == []


def test_unconvertible_parameter_is_422(client: Client) -> None:
    response = client.get(reverse("nitro:todo-search"), {"limit": "many"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Invalid parameters: Parameter 'limit': "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_missing_parameter_is_422(client: Client) -> None:
    response = client.post(reverse("nitro:todo-create"), {"id": "milk"}, content_type=JSON)
    assert response.status_code == 422
    assert "'title' is missing" in response.json()["error"]["message"]


@pytest.mark.parametrize("title", ["", "   "])
def test_value_error_from_the_action_is_422(client: Client, title: str) -> None:
    body = {"id": "milk", "title": title, "project_id": 1}
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "type": "invalid_value",
        "message": "The title must not be blank.",
        "status_code": 422,
    }


def test_taken_id_is_422(client: Client, milk: Todo) -> None:
    body = {"id": "milk", "title": "Again", "project_id": 1}
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 422
    assert Todo.get("milk").title == "Buy milk"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_malformed_json_is_400(client: Client, body: str) -> None:
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "malformed_json"


def test_form_body_is_415(client: Client) -> None:
    response = client.post(reverse("nitro:todo-create"), {"id": "milk", "title": "Buy milk"})
    assert response.status_code == 415


def test_absolute_path_and_204(client: Client, milk: Todo) -> None:
    response = client.delete(reverse("nitro:todo", kwargs={"id": "milk"}))
    assert response.status_code == 204
    assert response.content == b""
    assert Todo.get("milk") is None


def test_unexpected_errors_reach_django(milk: Todo, monkeypatch: pytest.MonkeyPatch) -> None:
    def save(todo: Todo) -> bool:
        raise RuntimeError("the disk is on fire")

    # Not a ValueError: the action did not refuse its input, something broke.
    monkeypatch.setattr(Todo, "save", save)
    url = reverse("nitro:todo-complete", kwargs={"id": "milk"})
    with pytest.raises(RuntimeError):
        Client().post(url)
    response = Client(raise_request_exception=False).post(url)
    assert response.status_code == 500
    assert b"on fire" not in response.content


@pytest.mark.urls("tests.csrf_urls")
def test_csrf_is_enforced_by_default(milk: Todo) -> None:
    client = Client(enforce_csrf_checks=True)
    url = reverse("nitro:todo-complete", kwargs={"id": "milk"})
    assert client.post(url).status_code == 403
    assert Todo.get("milk").completed is False
    assert client.get(reverse("nitro:todo-title", kwargs={"id": "milk"})).status_code == 200
    token = "a" * 32
    client.cookies["csrftoken"] = token
    assert client.post(url, headers={"X-CSRFToken": token}).status_code == 200
    assert Todo.get("milk").completed is True


def test_csrf_exempt_dispatcher_takes_posts_without_a_token(milk: Todo) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("nitro:todo-complete", kwargs={"id": "milk"}))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"project_id": 1.5}, "'project_id': Input should be a valid integer"),
        ({"project_id": True}, "'project_id': Input should be a valid integer"),
        ({"project_id": "1"}, "'project_id': Input should be a valid integer"),
        ({"project_id": 2**31}, "'project_id': Input should be less than or equal to 2147483647"),
        ({"title": 123}, "'title': Input should be a valid string"),
        ({"title": "x" * 201}, "'title': String should have at most 200 characters"),
        ({"title": "Buy\x00milk"}, "'title': Value error, PostgreSQL text cannot hold NUL"),
        ({"id": "milk\ud800"}, "'id': Input should be a valid string, unable to parse raw data"),
    ],
)
def test_invalid_parameter_is_422_naming_it(
    client: Client, change: dict[str, object], message: str
) -> None:
    body = {"id": "milk", "title": "Buy milk", "project_id": 1} | change
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        f"Invalid parameters: Parameter {message}"
    )
    assert Todo.all() == []


def test_query_values_are_parsed_from_text_json_values_are_not(client: Client) -> None:
    url = reverse("nitro:todo-search")
    assert client.get(url, {"limit": "5"}).status_code == 200
    assert client.get(url, {"limit": "-1"}).status_code == 422
    assert client.generic("GET", url, '{"limit": "5"}', JSON).status_code == 422
    assert client.generic("GET", url, '{"limit": 5}', JSON).status_code == 200


def test_invalid_path_id_is_422_before_any_query(client: Client) -> None:
    response = client.post(reverse("nitro:todo-complete", kwargs={"id": "a\x00b"}))
    assert response.status_code == 422
    assert "Parameter 'id'" in response.json()["error"]["message"]


def test_json_deeper_than_the_recursion_limit_is_400(client: Client) -> None:
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 400
    assert "maximum recursion depth" in response.json()["error"]["message"]


def test_body_larger_than_the_upload_limit_is_413(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"id": "milk", "title": "Buy milk " * 20, "project_id": 1}
    response = client.post(reverse("nitro:todo-create"), body, content_type=JSON)
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "body_too_large"
    assert Todo.all() == []
