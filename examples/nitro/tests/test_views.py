"""Nitro entities used from ordinary Django views, through Django's test client."""

import pytest
from django.test import Client
from django.urls import reverse

from todos.entities import Todo
from todos.models import Project

pytestmark = pytest.mark.django_db


def test_complete_view_calls_the_action(client: Client) -> None:
    Todo.create(id="milk", title="Buy milk", project_id=1)
    response = client.post(reverse("todo-complete", args=["milk"]))
    assert response.status_code == 200
    assert response.json() == {
        "id": "milk",
        "title": "Buy milk",
        "completed": True,
        "project_id": 1,
    }
    assert Todo.get("milk").completed is True


def test_complete_view_404_is_json(client: Client) -> None:
    response = client.post(reverse("todo-complete", args=["nope"]))
    assert response.status_code == 404
    assert response.json() == {"error": "No to-do with id 'nope'."}


def test_complete_view_refuses_get(client: Client) -> None:
    assert client.get(reverse("todo-complete", args=["milk"])).status_code == 405


def test_project_view_reads_django_and_nitro_rows(client: Client) -> None:
    home = Project.objects.create(name="Home")
    work = Project.objects.create(name="Work")
    Todo.create(id="milk", title="Buy milk", project_id=home.pk)
    Todo.create(id="bread", title="Buy bread", project_id=home.pk)
    Todo.create(id="report", title="Write report", project_id=work.pk)
    response = client.get(reverse("project-detail", args=[home.pk]))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"]) == (home.pk, str(home))
    assert [todo["id"] for todo in body["todos"]] == ["bread", "milk"]


def test_project_view_404_is_json(client: Client) -> None:
    response = client.get(reverse("project-detail", args=[999]))
    assert response.status_code == 404
    assert response.json() == {"error": "No project with id 999."}


def test_id_with_nul_matches_no_url_and_is_a_json_404(client: Client) -> None:
    response = client.post("/todos/a%00b/complete/")
    assert response.status_code == 404
    assert response.json() == {"error": "No page at '/todos/a\\x00b/complete/'."}


@pytest.mark.parametrize("project_id", [999, 2**63, 10**30])
def test_stream_of_an_unknown_project_is_a_json_404(client: Client, project_id: int) -> None:
    response = client.get(f"/projects/{project_id}/todos/stream/")
    assert response.status_code == 404
    assert response.json() == {"error": f"No project with id {project_id}."}


def test_bad_request_is_json(client: Client) -> None:
    # A Host header outside ALLOWED_HOSTS is Django's usual 400, answered by handler400.
    response = client.get("/projects/1/", headers={"host": "attacker.invalid"})
    assert response.status_code == 400
    assert response.json() == {"error": "Bad request."}
