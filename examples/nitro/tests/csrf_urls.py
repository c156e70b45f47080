"""A URLconf with a dispatcher left at its default: CSRF protection on."""

from django.urls import path
from nitro import Entity

from nitro_django import DjangoDispatcher
from todos.entities import Todo

dispatcher = DjangoDispatcher()
dispatcher.configure(Entity, entities=[Todo])

urlpatterns = [path("api/", dispatcher.urls)]
