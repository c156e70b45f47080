"""Nitro's ``@action`` methods as Django URL patterns, mounted under ``/api/``."""

from nitro import Entity

from nitro_django import DjangoDispatcher

from .entities import Todo

# The actions receive no request and act for no user: there is no session to
# forge a request with, so CSRF protection would add a token and no safety.
dispatcher = DjangoDispatcher(app_name="nitro", csrf_exempt=True)
dispatcher.configure(Entity, entities=[Todo])
