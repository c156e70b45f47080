"""The project's root URLconf."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("blog.urls")),
]

# Used instead of Django's HTML page when DEBUG is off.
handler404 = "blog.views.not_found"
