"""URL configuration for mysite: Django's views and Nitro's actions."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from todos.api import dispatcher

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", dispatcher.urls),
    path("", include("todos.urls")),
]


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse({"error": "Bad request."}, status=400)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse({"error": f"No page at {request.path!r}."}, status=404)


# Without DEBUG, Django answers these with HTML; the API's clients read JSON.
handler400 = bad_request
handler404 = not_found
