"""
ASGI config for mysite project: Django, with Nitro's FastAPI routes mounted.

It exposes the ASGI callable as a module-level variable named ``application``.
Serve it with ``uvicorn mysite.asgi:application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application
from fastapi import FastAPI
from nitro import Entity
from starlette.routing import Mount, Router

from nitro_django.fastapi import ValidatingFastAPIDispatcher
from todos.entities import Todo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

# Set Django up first: its ready() hooks put Nitro's engine on Django's database.
django_application = get_asgi_application()

nitro_fastapi = FastAPI(title="Nitro actions")
# Not configure_nitro(): in Nitro 0.3.0 it registers every route twice. Nitro's
# FastAPIDispatcher, with the parameters and the body validated as under /api/.
ValidatingFastAPIDispatcher(nitro_fastapi).configure(Entity, entities=[Todo])

# One process, one event loop: /fastapi/ goes to FastAPI, any other path to
# Django, the default (a Mount("/") would miss paths with a newline in them).
# Starlette's router answers the lifespan events, which Django does not handle.
application = Router(routes=[Mount("/fastapi", app=nitro_fastapi)], default=django_application)
