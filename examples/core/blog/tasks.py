"""A task for Django's own task framework (django.tasks, new in Django 6.0)."""

from django.tasks import task

from .models import Author


@task
def count_posts(author_id: int) -> int:
    """Count an author's posts; the return value is kept in the task's result."""
    return Author.objects.get(pk=author_id).posts.count()
