"""Middleware that gives every request an id, for logs and support tickets."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Accept a caller's id only if it is short and plain, so it is safe to log.
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIDMiddleware:
    """Keeps the caller's X-Request-ID (or makes one) and returns it on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if VALID_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
