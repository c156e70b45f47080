"""Serve Nitro ``@action`` entity methods from Django; see :mod:`nitro_django.dispatcher`."""

from .dispatcher import (
    SORTED,
    ActionError,
    BadBody,
    DjangoDispatcher,
    ValidatingDispatcher,
    json_object,
)

__all__ = [
    "SORTED",
    "ActionError",
    "BadBody",
    "DjangoDispatcher",
    "ValidatingDispatcher",
    "json_object",
]
