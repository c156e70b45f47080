"""What the JSON endpoints accept, checked before anything is saved or deferred."""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse

from .models import Document


class InvalidRequest(Exception):
    """A request refused before any work; the response names each field in error."""

    def __init__(self, status: int, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.response = JsonResponse({"errors": errors}, status=status)


class JSONForm(forms.Form):
    """A form for a JSON object body whose fields are all text.

    Django's fields convert what they are given (``str(value)``), as HTML forms
    need, whose values are all text. In JSON a number, ``true`` or an object
    where text belongs is the client's mistake, and so is text that PostgreSQL
    cannot store: Django's text fields refuse NUL, and a lone surrogate such as
    ``"\\ud800"`` has no UTF-8 encoding.
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
        for name in self.fields:
            value = self.data.get(name)
            if name in self.errors or value is None:
                continue
            if not isinstance(value, str):
                self.add_error(name, "Enter a string.")
                continue
            try:
                value.encode()
            except UnicodeEncodeError:
                self.add_error(name, "Enter text without lone surrogates.")
        return self.cleaned_data


class DocumentForm(JSONForm):
    # A TextField has no length limit: the request's size is the limit.
    text = forms.CharField(max_length=Document._meta.get_field("text").max_length)
