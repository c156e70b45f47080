"""URL configuration for mysite: Django's views and Nitro's actions."""

from django.contrib import admin
from django.urls import include, path

from todos.api import dispatcher

# [docs:urls]
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", dispatcher.urls),
    path("", include("todos.urls")),
]
# [/docs:urls]
