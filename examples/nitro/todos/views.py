"""Views that use Nitro entities from ordinary Django code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from datastar_py.django import DatastarResponse, ServerSentEventGenerator
from datastar_py.sse import DatastarEvent
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from nitro_django import SORTED

from .entities import Todo
from .models import Project

STREAM_POLL_SECONDS = 0.5


# [docs:complete-view]
@require_POST
def todo_complete(request: HttpRequest, todo_id: str) -> JsonResponse:
    """Call the ``complete`` action directly; 404 JSON for an unknown id."""
    todo = Todo.get(todo_id)
    if todo is None:
        return JsonResponse({"error": f"No to-do with id {todo_id!r}."}, status=404)
    return JsonResponse(todo.complete(), json_dumps_params=SORTED)
    # [/docs:complete-view]


# [docs:project-view]
@require_GET
def project_detail(request: HttpRequest, project_id: int) -> JsonResponse:
    """A Django ``Project`` row with its Nitro ``Todo`` entities, from one database."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return JsonResponse({"error": f"No project with id {project_id}."}, status=404)
    todos = Todo.where(Todo.project_id == project.pk, order_by=Todo.id)
    return JsonResponse(
        {
            "id": project.pk,
            "name": project.name,
            "todos": [todo.model_dump() for todo in todos],
        },
        json_dumps_params=SORTED,
    )
    # [/docs:project-view]


# [docs:stream-view]
@require_GET
async def todo_stream(request: HttpRequest, project_id: int) -> HttpResponseBase:
    """Stream a project's to-do list as Datastar patches, one per change.

    The first event carries the current list. The stream runs until the client
    disconnects, so it needs an ASGI server: under WSGI, Django would consume the
    whole (endless) async generator before sending anything.
    """
    # Once streaming, the status (200) is sent: check first, and answer 404 JSON.
    if not await Project.objects.filter(pk=project_id).aexists():
        return JsonResponse({"error": f"No project with id {project_id}."}, status=404)

    async def events() -> AsyncIterator[DatastarEvent]:
        shown = None
        while True:
            # Nitro's repository is synchronous: keep it off the event loop.
            todos = await sync_to_async(Todo.where)(Todo.project_id == project_id, order_by=Todo.id)
            html = render_to_string("todos/todo_list.html", {"todos": todos})
            if html != shown:
                yield ServerSentEventGenerator.patch_elements(html)
                shown = html
            await asyncio.sleep(STREAM_POLL_SECONDS)

    return DatastarResponse(events())
    # [/docs:stream-view]
