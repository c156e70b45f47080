"""The blog's URLs: each path() maps a route to a view and names it."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("hello/", views.hello, name="hello"),
    path("ping/", views.PingView.as_view(), name="ping"),
    path("posts/", views.posts, name="posts"),
    path("posts/<int:post_id>/", views.post_detail, name="post-detail"),
]
