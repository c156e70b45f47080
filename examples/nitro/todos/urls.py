from django.urls import path

from . import views

urlpatterns = [
    path("todos/<str:todo_id>/complete/", views.todo_complete, name="todo-complete"),
    path("projects/<int:project_id>/", views.project_detail, name="project-detail"),
    path("projects/<int:project_id>/todos/stream/", views.todo_stream, name="todo-stream"),
]
