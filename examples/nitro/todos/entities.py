"""Nitro entities: SQLModel tables with ``@action`` methods, beside Django's models.

No ``from __future__ import annotations`` here: Nitro 0.3.0 reads parameter
annotations without evaluating them, and converts query-string values to
``int``, ``float`` or ``bool`` only when the annotation is the type itself.
"""

from typing import Annotated, Any

from nitro import Entity, action
from sqlmodel import Field, col


class Todo(Entity, table=True):
    """A to-do item, stored by Nitro in the table ``todo`` of Django's database.

    ``project_id`` holds the id of a Django :class:`todos.models.Project`; the
    two ORMs do not know each other's tables, so there is no foreign key. The
    fields' limits are the columns' (``VARCHAR(200)``), and the dispatchers
    validate parameters against them.
    """

    id: str = Field(primary_key=True, max_length=100)
    title: str = Field(max_length=200)
    completed: bool = False
    # A Django id (from 1) in SQLModel's column for int, PostgreSQL's 32-bit INTEGER.
    project_id: int = Field(index=True, ge=1, le=2**31 - 1)

    @classmethod
    @action(method="POST", status_code=201)
    def create(cls, id: str, title: str, project_id: int) -> "Todo":
        """Create a to-do; a blank title or a taken id is refused with ``ValueError``."""
        if not title.strip():
            raise ValueError("The title must not be blank.")
        if cls.exists(id):
            raise ValueError(f"A to-do with id {id!r} already exists.")
        todo = cls(id=id, title=title, project_id=project_id)
        todo.save()
        return todo

    @action(method="POST")
    def complete(self) -> dict[str, Any]:
        """Mark the to-do as done and return it."""
        self.completed = True
        self.save()
        return self.model_dump()

    @action(method="GET", path="title")
    def read_title(self) -> dict[str, str]:
        """Return the to-do's title."""
        return {"id": self.id, "title": self.title}

    @action(method="PUT", path="title")
    def rename(self, title: str) -> dict[str, str]:
        """Change the to-do's title."""
        if not title.strip():
            raise ValueError("The title must not be blank.")
        self.title = title
        self.save()
        return {"id": self.id, "title": self.title}

    @action(method="DELETE", path="/todo/{id}", status_code=204)
    def remove(self) -> None:
        """Delete the to-do."""
        self.delete()

    @classmethod
    @action(method="GET", path="search")
    def search_titles(
        cls, q: str | None = None, limit: Annotated[int, Field(ge=1, le=100)] = 20
    ) -> list["Todo"]:
        """List to-dos whose title contains ``q`` (all without ``q``), by id."""
        conditions = [col(cls.title).icontains(q)] if q else []
        return cls.where(*conditions, order_by=cls.id, limit=limit)
