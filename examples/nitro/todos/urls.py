from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import views


class EntityIdConverter(StringConverter):
    """A Nitro entity id: a path segment without NUL, which PostgreSQL text cannot hold."""

    regex = r"[^/\x00]+"


register_converter(EntityIdConverter, "entity_id")

urlpatterns = [
    path("todos/<entity_id:todo_id>/complete/", views.todo_complete, name="todo-complete"),
    path("projects/<int:project_id>/", views.project_detail, name="project-detail"),
    path("projects/<int:project_id>/todos/stream/", views.todo_stream, name="todo-stream"),
]
