"""What the JSON endpoints accept, checked before any workflow starts.

A workflow records its start, and each step, in the system database: input
refused inside a workflow leaves an ERROR workflow behind, input refused here
leaves nothing.
"""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, JsonResponse

from onboarding.models import Email


class InvalidRequest(Exception):
    """A request refused before any work; the response names each field in error."""

    def __init__(self, status: int, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.response = JsonResponse({"errors": errors}, status=status)


class JSONForm(forms.Form):
    """A form for a JSON object body, strict about JSON types.

    Django's fields convert what they are given (``str(value)``, ``float(value)``),
    as HTML forms need, whose values are all text. In JSON a number where text
    belongs, or ``true`` where a number belongs, is the client's mistake, and so
    is text that PostgreSQL cannot store: Django's text fields refuse NUL, and a
    lone surrogate such as ``"\\ud800"`` has no UTF-8 encoding.
    """

    @classmethod
    def parse(cls, request: HttpRequest) -> dict[str, Any]:
        """The request body's cleaned data, or :class:`InvalidRequest` (415, 413 or 400)."""
        if request.content_type != "application/json":
            raise InvalidRequest(415, {"Content-Type": ["Send application/json."]})
        try:
            data = json.loads(request.body)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            raise InvalidRequest(413, {"body": [f"Send at most {limit} bytes."]}) from None
        except RecursionError:
            raise InvalidRequest(400, {"body": ["JSON nested too deeply."]}) from None
        except ValueError as exc:
            raise InvalidRequest(400, {"body": [f"Malformed JSON: {exc}"]}) from None
        if not isinstance(data, dict):
            raise InvalidRequest(400, {"body": ["Send a JSON object."]})
        form = cls(data)
        if not form.is_valid():
            raise InvalidRequest(400, {name: list(errors) for name, errors in form.errors.items()})
        return form.cleaned_data

    def clean(self) -> dict[str, Any]:
        for name, field in self.fields.items():
            value = self.data.get(name)
            if name in self.errors or value is None:
                continue
            text = isinstance(field, forms.CharField)
            if isinstance(value, bool) or not isinstance(value, str if text else int | float):
                self.add_error(name, "Enter a string." if text else "Enter a number.")
            elif text:
                try:
                    value.encode()
                except UnicodeEncodeError:
                    self.add_error(name, "Enter text without lone surrogates.")
        return self.cleaned_data


class SignupForm(JSONForm):
    # The limits of the columns that the workflow's steps write to.
    email = forms.EmailField(max_length=Email._meta.get_field("to").max_length)
    follow_up_after = forms.FloatField(min_value=0, max_value=86400, required=False)

    def clean_follow_up_after(self) -> float:
        return self.cleaned_data["follow_up_after"] or 0.0


def idempotency_key(request: HttpRequest) -> str:
    """The ``Idempotency-Key`` header, which becomes the workflow's id, or :class:`InvalidRequest`.

    The id is a segment of the status URL, ``/workflows/<slug:workflow_id>/``,
    and goes into the ``workflow_id`` column of every email the workflow sends.
    """
    max_length = Email._meta.get_field("workflow_id").max_length
    key = forms.SlugField(
        max_length=max_length,
        error_messages={
            "invalid": f"Use 1 to {max_length} letters, digits, hyphens or underscores: "
            "the key is the workflow's id in its status URL."
        },
    )
    try:
        return key.clean(request.headers.get("Idempotency-Key"))
    except ValidationError as exc:
        raise InvalidRequest(400, {"Idempotency-Key": exc.messages}) from None
