"""Nitro's FastAPI adapter, validating as the Django dispatcher does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from fastapi import HTTPException, Request
from nitro.adapters.fastapi import FastAPIDispatcher
from nitro.routing import ActionMetadata

from .dispatcher import BadBody, ValidatingDispatcher, json_object

__all__ = ["ValidatingFastAPIDispatcher"]


class ValidatingFastAPIDispatcher(ValidatingDispatcher, FastAPIDispatcher):
    """Nitro's ``FastAPIDispatcher``, validating as ``ValidatingDispatcher`` does.

    Nitro's adapter also reads a body of any size, ignores a body that is not
    valid JSON and one without a JSON content type. This one refuses them as
    ``DjangoDispatcher`` does, in FastAPI's error format
    (``{"detail": ...}``): 400, 413 past ``DATA_UPLOAD_MAX_MEMORY_SIZE``, 415.
    """

    async def _extract_fastapi_parameters(
        self,
        request: Request,
        method: Callable[..., Any],
        metadata: ActionMetadata,
        path_id: str | None = None,
    ) -> dict[str, Any]:
        """The request's parameters, in the form Nitro's ``dispatch()`` takes."""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if limit is not None and len(body) > limit:
                raise HTTPException(413, "Request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE.")
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        try:
            parameters = json_object(media_type, bytes(body))
        except BadBody as error:
            raise HTTPException(error.status, str(error)) from None
        return {
            "path": {"id": path_id} if path_id else {},
            "query": dict(request.query_params),
            "body": parameters,
        }
