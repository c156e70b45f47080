"""Django models, stored by Django's ORM next to Nitro's tables."""

from django.db import models


class Project(models.Model):
    """A project; its to-dos are Nitro :class:`todos.entities.Todo` entities."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name
