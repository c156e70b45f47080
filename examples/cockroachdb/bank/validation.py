"""Checks that refuse bad input with a 4xx JSON error before any transaction starts."""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import models
from django.http import HttpRequest

from .services import Rejected

# What json.loads() makes of each JSON type.
JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def parse_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request's body, which must be a JSON object sent as application/json."""
    if request.content_type != "application/json":
        raise Rejected("Content-Type: expected application/json", status=415)
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise Rejected(f"body: larger than {limit} bytes", status=413) from None
    # Not UTF-8 is a ValueError too; nesting deeper than the interpreter's
    # recursion limit is a RecursionError.
    except (ValueError, RecursionError) as exc:
        raise Rejected(f"body: malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Rejected("body: expected a JSON object")
    return body


def checked(value: object, field: models.Field, name: str = "") -> Any:
    """``value`` as ``field`` accepts it (a foreign key: as its target field does).

    The JSON type must fit the column: a number for an integer, a number or a
    string for a decimal, a string otherwise, and a bool is no number. A
    string must be one PostgreSQL can store, with no NUL and no lone
    surrogate; it is stripped, as Django's forms do. Then the field's own
    validation runs: max_length, digits, the column's integer range.
    """
    name = name or field.name
    column = field.target_field if field.is_relation else field
    if isinstance(column, models.IntegerField):
        expected, wanted = (int,), "an integer"
    elif isinstance(column, models.DecimalField):
        expected, wanted = (int, float, str), "a number or a string"
    else:
        expected, wanted = (str,), "a string"
    if not isinstance(value, expected) or isinstance(value, bool):
        raise Rejected(f"{name}: expected {wanted}, got {JSON_TYPES[type(value)]}")
    if isinstance(value, str):
        if "\x00" in value:
            raise Rejected(f"{name}: NUL characters are not allowed")
        try:
            value.encode()
        except UnicodeEncodeError:
            raise Rejected(f"{name}: lone surrogates are not allowed") from None
        value = value.strip()
    try:
        return column.clean(value, None)
    except ValidationError as exc:
        raise Rejected(f"{name}: {' '.join(exc.messages)}") from None


def field_value(body: dict[str, Any], model: type[models.Model], name: str) -> Any:
    """``body[name]``, checked against ``model``'s field of that name."""
    return checked(body.get(name), model._meta.get_field(name))
