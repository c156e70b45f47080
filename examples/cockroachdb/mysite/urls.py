"""URL configuration for mysite: the admin and the bank's JSON API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("bank.urls")),
]

# A JSON 404 instead of Django's HTML page (when DEBUG is off).
handler404 = "bank.views.not_found"
