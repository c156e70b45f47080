"""The ASGI application on a real uvicorn server: SSE, and FastAPI mounted beside Django."""

from collections.abc import Iterator

import httpx
import pytest

from todos.api import dispatcher
from todos.entities import Todo
from todos.models import Project

pytestmark = pytest.mark.django_db(transaction=True)


def sse_events(lines: Iterator[str]) -> Iterator[list[str]]:
    """Group a text/event-stream into events, each a list of its lines."""
    event: list[str] = []
    for line in lines:
        if line:
            event.append(line)
        elif event:
            yield event
            event = []


def test_stream_sends_the_list_then_each_change(asgi_server: str) -> None:
    project = Project.objects.create(name="Home")
    Todo.create(id="milk", title="Buy milk", project_id=project.pk)
    url = f"{asgi_server}/projects/{project.pk}/todos/stream/"
    with httpx.stream("GET", url, timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        events = sse_events(response.iter_lines())
        assert next(events) == [
            "event: datastar-patch-elements",
            'data: elements <ul id="todo-list"><li id="todo-milk">Buy milk</li></ul>',
        ]
        completed = httpx.post(f"{asgi_server}/api/todo/milk/complete")
        assert completed.status_code == 200
        assert next(events) == [
            "event: datastar-patch-elements",
            'data: elements <ul id="todo-list"><li id="todo-milk" class="done">Buy milk</li></ul>',
        ]


def test_wsgi_buffers_the_endless_stream(wsgi_server: str, asgi_server: str) -> None:
    project = Project.objects.create(name="Home")
    path = f"/projects/{project.pk}/todos/stream/"
    with httpx.stream("GET", asgi_server + path, timeout=2) as response:
        assert next(response.iter_lines()).startswith("event: ")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(wsgi_server + path, timeout=2)


def test_fastapi_is_mounted_beside_django(asgi_server: str) -> None:
    project = Project.objects.create(name="Home")
    created = httpx.post(
        f"{asgi_server}/api/todo/create",
        json={"id": "milk", "title": "Buy milk", "project_id": project.pk},
    )
    assert created.status_code == 201
    completed = httpx.post(f"{asgi_server}/fastapi/todo/milk/complete")
    assert completed.status_code == 200
    assert completed.json()["completed"] is True
    detail = httpx.get(f"{asgi_server}/projects/{project.pk}/")
    assert detail.json()["todos"][0]["completed"] is True


def test_both_frameworks_serve_the_same_paths(asgi_server: str) -> None:
    schema = httpx.get(f"{asgi_server}/fastapi/openapi.json").json()
    django_paths = {p.pattern._route.replace("<str:id>", "{id}") for p in dispatcher.urlpatterns}
    assert {p.lstrip("/") for p in schema["paths"]} == django_paths


def test_nitros_fastapi_adapter_lacks_the_dispatchers_fixes(asgi_server: str) -> None:
    searched = httpx.get(f"{asgi_server}/fastapi/todo/search", params={"q": "milk"})
    assert searched.status_code == 422
    assert "Required parameter 'cls' is missing" in searched.json()["error"]["message"]
    created = httpx.post(
        f"{asgi_server}/fastapi/todo/create",
        json={"id": "milk", "title": "Buy milk", "project_id": 1},
    )
    assert created.status_code == 422
    assert "Required parameter 'cls' is missing" in created.json()["error"]["message"]
    assert httpx.get(f"{asgi_server}/api/todo/search", params={"q": "milk"}).json() == []
