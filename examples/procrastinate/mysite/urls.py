"""URL configuration for the mysite project."""

from django.contrib import admin
from django.urls import path

from documents import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("documents/", views.create_document, name="create-document"),
    path("documents/async/", views.create_document_async, name="create-document-async"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/export/", views.export, name="export-document"),
]

# Used instead of Django's HTML page when DEBUG is off.
handler404 = "documents.views.not_found"
