"""django.tasks: a task runs, but with the immediate backend it runs in-line."""

import pytest

pytest.importorskip("django.tasks", reason="django.tasks is new in Django 6.0")

from blog.models import Author, Post  # noqa: E402
from blog.tasks import count_posts  # noqa: E402

pytestmark = pytest.mark.django_db


def test_enqueue_runs_the_task_at_once_and_keeps_its_result() -> None:
    ada = Author.objects.create(name="Ada")
    Post.objects.create(author=ada, title="One")
    Post.objects.create(author=ada, title="Two")
    result = count_posts.enqueue(ada.pk)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 2
