"""URL configuration for mysite project."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("onboarding.urls")),
]

# Used instead of Django's HTML page when DEBUG is off.
handler404 = "onboarding.views.not_found"
