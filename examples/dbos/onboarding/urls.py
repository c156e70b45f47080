from django.urls import path

from onboarding import views

urlpatterns = [
    path("signups/", views.signup, name="signup"),
    path("signups/background/", views.start_signup, name="start-signup"),
    path("workflows/<slug:workflow_id>/", views.workflow_status, name="workflow-status"),
]
