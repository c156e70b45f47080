"""A Django dispatcher for Nitro: ``@action`` entity methods as Django URL patterns.

Nitro 0.3.0 ships dispatchers for FastAPI, Flask, FastHTML and Sanic, and lists a
Django one as planned. :class:`DjangoDispatcher` fills that gap by subclassing
Nitro's own :class:`nitro.routing.NitroDispatcher`: Nitro still discovers the
actions, loads the entity, converts the parameters and calls the method; this
module only translates between Django requests and responses and Nitro's
``dispatch()``.

Configure a dispatcher with the entities and include its ``urls`` in a URLconf
(the example project's ``todos/api.py`` and ``mysite/urls.py`` do exactly
that). The generated paths are the ones Nitro's FastAPI adapter generates
(``todo/<str:id>/complete`` for an instance method, ``todo/create`` for a class
or static method), so a client does not notice which framework serves them.
"""

# [docs:imports]
from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import json
import re
import sys
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt as exempt_from_csrf
from nitro.routing import ActionMetadata, NitroDispatcher
from pydantic import AfterValidator, TypeAdapter, ValidationError

# [/docs:imports]

__all__ = [
    "SORTED",
    "ActionError",
    "BadBody",
    "DjangoDispatcher",
    "ValidatingDispatcher",
    "json_object",
]

#: JSON keys are sorted: an entity SQLAlchemy loaded or refreshed dumps its
#: fields in an order that changes from one process to the next.
SORTED = {"sort_keys": True}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class ActionError(dict[str, Any]):
    """The error body Nitro's ``dispatch()`` returns, marked as an error.

    Nitro reports errors as plain dictionaries (``{"error": {"type": ...,
    "message": ..., "status_code": ...}}``), which an action could also return
    on success. The dispatchers' ``format_error()`` returns this subclass
    instead, so a response is treated as an error only when Nitro produced it.
    """

    @property
    def status_code(self) -> int:
        """The HTTP status code Nitro chose for the error."""
        return int(self["error"]["status_code"])


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: Any) -> Any:
    if isinstance(value, str) and _UNSTORABLE.search(value):
        raise ValueError("PostgreSQL text cannot hold NUL or a lone surrogate")
    return value


# [docs:validation]
class ValidatingDispatcher(NitroDispatcher):
    """A Nitro dispatcher that validates parameters before it loads the entity.

    Nitro converts a value only where the parameter is annotated ``int``,
    ``float`` or ``bool``, and leniently (``int(1.5)`` is ``1``).
    """

    @staticmethod
    @functools.cache
    def validators(entity_class: type, method: Callable[..., Any]) -> dict[str, TypeAdapter[Any]]:
        """A validator per parameter of ``method``, and for an instance action's ``id``.

        A parameter named after a field of the entity is validated as that field,
        with the constraints (``max_length``, ``ge``, ``le``) from which SQLModel
        also makes its column; any other parameter as the action annotates it.
        No string may hold what PostgreSQL text cannot: NUL, or a lone surrogate.
        """
        parameters = inspect.signature(method).parameters
        annotations = {
            name: Any if parameter.annotation is inspect.Parameter.empty else parameter.annotation
            for name, parameter in parameters.items()
            if name not in ("self", "cls")
        }
        if "self" in parameters:
            annotations["id"] = Any
        fields = entity_class.model_fields
        return {
            name: TypeAdapter(
                Annotated[
                    fields[name].annotation, *fields[name].metadata, AfterValidator(_storable)
                ]
                if name in fields
                else Annotated[annotation, AfterValidator(_storable)]
            )
            for name, annotation in annotations.items()
        }

    async def dispatch(
        self,
        entity_class: type,
        method: Callable[..., Any],
        metadata: ActionMetadata,
        request_data: dict[str, Any],
    ) -> Any:
        """Nitro's ``dispatch()``, once every parameter sent is valid; else a 422 naming it.

        Values from the path and the query string are parsed from text (``5``
        is an ``int``), values from a JSON body strictly (``1.5``, ``true`` and
        ``"5"`` are not). Values the action does not take are ignored, as in Nitro.
        """
        validators = self.validators(entity_class, method)
        checked: dict[str, dict[str, Any]] = {}
        for source, values in request_data.items():
            checked[source] = dict(values)
            for name in validators.keys() & values.keys():
                try:
                    if source == "body":
                        value = validators[name].validate_python(values[name], strict=True)
                    else:
                        value = validators[name].validate_strings(values[name], strict=True)
                except ValidationError as error:
                    message = f"Invalid parameters: Parameter {name!r}: {error.errors()[0]['msg']}"
                    return self.format_error(422, message, "validation_error")
                checked[source][name] = value
        return await super().dispatch(entity_class, method, metadata, checked)
        # [/docs:validation]

    def format_error(
        self,
        status_code: int,
        message: str,
        error_type: str,
        details: dict[str, Any] | None = None,
    ) -> ActionError:
        """Nitro's error body as an :class:`ActionError`.

        Nitro calls this from inside its ``except Exception`` block with status
        500 for anything an action raised that was not a ``TypeError``: a
        ``ValueError`` (the action refusing its input) becomes a 422; anything
        else is raised again, for the web framework to answer as a server error
        instead of sending its message to the client.
        """
        raised = sys.exception()
        if status_code == 500 and raised is not None:
            if not isinstance(raised, ValueError):
                raise raised
            status_code, message, error_type = 422, str(raised), "invalid_value"
        return ActionError(super().format_error(status_code, message, error_type, details))


@dataclasses.dataclass(frozen=True)
class _Route:
    """One action registered on a URL, with everything ``dispatch()`` needs."""

    entity_class: type
    method: Callable[..., Any]
    metadata: ActionMetadata


class DjangoDispatcher(ValidatingDispatcher):
    """Serve Nitro ``@action`` methods as Django views.

    Call :meth:`configure` (inherited from Nitro) once with the entities to
    serve, then include :attr:`urls` in a URLconf. One URL pattern is created
    per distinct path; actions that share a path with different HTTP methods
    (``GET`` and ``PUT`` on ``todo/<id>/title``) share that pattern, and any
    other method is answered with ``405 Method Not Allowed`` and an ``Allow``
    header.

    **Requests.** Parameters are taken from the URL (``id``), the query string
    and a JSON object body, with the body winning over the query string, as in
    Nitro, and validated first, as ``ValidatingDispatcher`` (its base class)
    describes. Query parameters given more than once use their last value.

    **Responses.** The action's result as JSON (entities are dumped with
    ``model_dump()``, keys sorted) with the ``status_code`` given to
    ``@action``; ``204`` has no body.

    **Errors**, as Nitro's JSON error body except for the bodiless 405:

    * ``400``: a body that is not valid JSON (or nested deeper than Python's
      recursion limit), or not a JSON object;
    * ``404``: no entity with the id in the URL;
    * ``405``: an HTTP method no action on the path accepts (with ``Allow``);
    * ``413``: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
    * ``415``: a body that is not ``application/json``;
    * ``422``: a parameter that is missing or not valid, or a ``ValueError``
      raised by the action, which includes pydantic's ``ValidationError``.

    Any other exception propagates to Django, which logs it and answers with
    its usual 500 handling. Nitro's own ``dispatch()`` would turn it into a
    500 JSON body carrying the exception's message to the client.

    **CSRF.** The views are protected by ``CsrfViewMiddleware`` like any other
    Django view: unsafe methods (``POST``, ``PUT``, ``PATCH``, ``DELETE``) need
    the CSRF token in the ``X-CSRFToken`` header. That is the right default for
    browser clients with session cookies. Pass ``csrf_exempt=True`` only for an
    API whose clients authenticate with something a browser does not send by
    itself (a bearer token), never with Django's session cookie.

    **Not supported:** form-encoded and multipart bodies, ``HEAD`` and
    ``OPTIONS`` (answered with 405), authentication (``requires_auth`` is
    ignored: wrap the views or use middleware), ``response_model``,
    ``rate_limit``, ``cache_ttl`` and OpenAPI schemas.

    Args:
        app_name: The URL namespace of :attr:`urls`, used in ``reverse()``
            names such as ``"nitro:todo-complete"``.
        csrf_exempt: Exempt the generated views from Django's CSRF check.
    """

    def __init__(self, *, app_name: str = "nitro", csrf_exempt: bool = False) -> None:
        super().__init__(prefix="")
        self.app_name = app_name
        self.csrf_exempt = csrf_exempt
        self._routes_by_path: dict[str, dict[str, _Route]] = {}

    def register_route(
        self,
        entity_class: type,
        method: Callable[..., Any],
        metadata: ActionMetadata,
        entity_route_name: str | None = None,
    ) -> None:
        """Record one action under its Nitro path and HTTP method.

        Called by Nitro's ``configure()`` for every discovered action. The URL
        patterns themselves are built by :attr:`urlpatterns`.
        """
        nitro_path = metadata.generate_url_path(self.prefix, entity_route_name)
        routes = self._routes_by_path.setdefault(nitro_path, {})
        routes[metadata.method] = _Route(entity_class, method, metadata)

    @property
    def urlpatterns(self) -> list[URLPattern]:
        """One Django URL pattern per Nitro path.

        ``{id}`` in a Nitro path becomes ``<str:id>``. The pattern's name is the
        path's fixed segments joined by ``-``: ``todo-complete`` for
        ``/todo/{id}/complete``. Django takes the first pattern whose path
        matches, whatever the method, so fixed segments are tried before
        placeholders: ``todo/search`` must not be taken for ``todo/<str:id>``.
        """
        return [
            path(
                _PLACEHOLDER.sub(r"<str:\1>", nitro_path.lstrip("/")),
                self._view_for(self._routes_by_path[nitro_path]),
                name="-".join(part for part in _segments(nitro_path) if "{" not in part),
            )
            for nitro_path in sorted(self._routes_by_path, key=_placeholder_positions)
        ]

    @property
    def urls(self) -> tuple[list[URLPattern], str, str]:
        """The patterns with their namespace, for ``path("api/", dispatcher.urls)``."""
        return self.urlpatterns, self.app_name, self.app_name

    def _view_for(self, routes: dict[str, _Route]) -> Callable[..., HttpResponse]:
        """Build the view serving every action registered on one path."""

        def view(request: HttpRequest, **path_params: str) -> HttpResponse:
            route = routes.get(request.method or "")
            if route is None:
                return HttpResponseNotAllowed(sorted(routes))
            try:
                body = _request_parameters(request)
            except BadBody as error:
                return _error_response(self.format_error(error.status, str(error), error.kind))
            request_data = {
                "path": path_params,
                "query": request.GET.dict(),
                "body": body,
            }
            # A sync view runs in a worker thread under ASGI too, so a fresh
            # event loop here never blocks the server's loop while Nitro's
            # synchronous repository talks to the database.
            result = asyncio.run(
                self.dispatch(route.entity_class, route.method, route.metadata, request_data)
            )
            if isinstance(result, ActionError):
                return _error_response(result)
            if route.metadata.status_code == 204:
                return HttpResponse(status=204)
            return JsonResponse(
                result, status=route.metadata.status_code, safe=False, json_dumps_params=SORTED
            )

        return exempt_from_csrf(view) if self.csrf_exempt else view

    def extract_method_parameters(
        self,
        method: Callable[..., Any],
        metadata: ActionMetadata,
        request_data: dict[str, Any],
    ) -> dict[str, Any]:
        """Nitro's parameter extraction, with two of its 0.3.0 gaps closed.

        Nitro records a parameter's default as ``None`` both when it has none and
        when it defaults to ``None``, so ``note: str | None = None`` would be
        required; and it asks for ``cls`` as a parameter of a ``@classmethod``
        action. Parameters that were not sent and have a default in the real
        signature are therefore left to Python, and only parameters of the bound
        callable are considered, before Nitro converts the rest.
        """
        sent = {**request_data.get("query", {}), **request_data.get("body", {})}
        sent.update(request_data.get("path", {}))
        signature = inspect.signature(method)
        wanted = {
            name: info
            for name, info in metadata.parameters.items()
            if name in signature.parameters
            and (name in sent or signature.parameters[name].default is inspect.Parameter.empty)
        }
        return super().extract_method_parameters(
            method, dataclasses.replace(metadata, parameters=wanted), request_data
        )

    def format_response(self, result: Any, metadata: ActionMetadata) -> Any:
        """Nitro's response formatting, except that a list is always a JSON list.

        Nitro 0.3.0 dumps a list of entities to a list but wraps an empty list as
        ``{"result": []}``; a client should not have to handle both shapes.
        """
        if isinstance(result, list):
            return [item.model_dump() if hasattr(item, "model_dump") else item for item in result]
        return super().format_response(result, metadata)


class BadBody(Exception):
    """A request body that cannot be turned into parameters."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


_NOT_JSON = (415, "unsupported_media_type", "Send the body as application/json.")


def json_object(media_type: str, body: bytes) -> dict[str, Any]:
    """The parameters in a request body: ``{}`` for an empty one, else a JSON object.

    Raises :class:`BadBody` (400) for anything that is not a JSON object, JSON
    nested deeper than Python's recursion limit included, and (415) for a body
    of any other media type.
    """
    if not body:
        return {}
    if media_type != "application/json":
        raise BadBody(*_NOT_JSON)
    try:
        parameters = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadBody(400, "malformed_json", f"The body is not valid JSON: {error}") from None
    if not isinstance(parameters, dict):
        raise BadBody(400, "malformed_json", "The JSON body must be an object.")
    return parameters


def _request_parameters(request: HttpRequest) -> dict[str, Any]:
    """:func:`json_object` of a Django request's body; 413 past ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    try:
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            # CSRF checking may already have read a form from the stream, so
            # request.body is gone; ask the parsed form whether anything was sent.
            if request.POST or request.FILES:
                raise BadBody(*_NOT_JSON)
            return {}
        return json_object(request.content_type or "", request.body)
    except RequestDataTooBig as error:
        raise BadBody(413, "body_too_large", str(error)) from None


def _segments(nitro_path: str) -> list[str]:
    return nitro_path.strip("/").split("/")


def _placeholder_positions(nitro_path: str) -> list[bool]:
    """Sort key that puts a fixed segment before a placeholder at each position."""
    return ["{" in part for part in _segments(nitro_path)]


def _error_response(error: ActionError) -> JsonResponse:
    return JsonResponse(error, status=error.status_code, json_dumps_params=SORTED)
