"""Serve Nitro ``@action`` entity methods from Django; see :mod:`nitro_django.dispatcher`."""

from .dispatcher import SORTED, ActionError, DjangoDispatcher, ValidatingDispatcher

__all__ = ["SORTED", "ActionError", "DjangoDispatcher", "ValidatingDispatcher"]
