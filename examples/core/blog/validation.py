"""Checks that turn bad input into a 4xx JSON error before anything is written."""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import models
from django.http import HttpRequest

MISSING = object()


class Invalid(Exception):
    """Bad input, answered with ``status`` and ``{"error": "<field>: <problem>"}``."""

    def __init__(self, field: str, problem: str, status: int = 400) -> None:
        super().__init__(f"{field}: {problem}")
        self.status = status


def parse_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request's body, which must be a JSON object sent as application/json."""
    if request.content_type != "application/json":
        raise Invalid("Content-Type", "expected application/json", status=415)
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise Invalid("body", f"larger than {limit} bytes", status=413) from None
    # Not UTF-8 is a ValueError too; nesting deeper than the interpreter's
    # recursion limit is a RecursionError.
    except (ValueError, RecursionError):
        raise Invalid("body", "invalid JSON") from None
    if not isinstance(payload, dict):
        raise Invalid("body", "expected a JSON object")
    return payload


def text(value: object, field: str) -> str:
    """A string PostgreSQL can store (no NUL, no lone surrogate), stripped as forms do."""
    if not isinstance(value, str):
        raise Invalid(field, "expected a string")
    if "\x00" in value:
        raise Invalid(field, "NUL characters are not allowed")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise Invalid(field, "lone surrogates are not allowed") from None
    return value.strip()


def field_value(
    payload: dict[str, Any], model: type[models.Model], name: str, default: Any = MISSING
) -> Any:
    """``payload[name]``, checked as ``model``'s field of that name would store it.

    The JSON type follows the field: a number for an integer column (or a
    foreign key to one), where a bool is no number, and a string otherwise.
    Then the field's own validation runs: its max_length, its column's integer
    range, that a foreign key's row exists.
    """
    field = model._meta.get_field(name)
    value = payload.get(name, default)
    if value is MISSING:
        raise Invalid(name, "required")
    column = field.target_field if field.is_relation else field
    if not isinstance(column, models.IntegerField):
        value = text(value, name)
    elif type(value) is not int:
        raise Invalid(name, "expected an integer")
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        raise Invalid(name, " ".join(exc.messages)) from None
