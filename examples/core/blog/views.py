"""Views: functions and a class, query parameters, JSON in and out, templates."""

import json
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import Author, Post

PAGE_SIZE = 10


# [docs:hello]
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world")


# [/docs:hello]


# [docs:ping]
class PingView(View):
    """Only GET is defined, so any other method is answered with 405."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("pong")


# [/docs:ping]


def post_as_dict(post: Post) -> dict[str, Any]:
    return {"id": post.pk, "author": post.author.name, "title": post.title, "body": post.body}


# [docs:post-detail]
@require_GET
def post_detail(request: HttpRequest, post_id: int) -> JsonResponse:
    # The <int:post_id> converter already refused anything but digits.
    post = get_object_or_404(Post.objects.select_related("author"), pk=post_id)
    return JsonResponse(post_as_dict(post))


# [/docs:post-detail]


# [docs:post-list]
def list_posts(request: HttpRequest) -> JsonResponse:
    """GET /posts/?q=django&page=2: posts whose title contains q, ten a page."""
    query = request.GET.get("q", "")
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return JsonResponse({"error": "page must be a whole number"}, status=400)
    posts = Post.objects.select_related("author").filter(title__icontains=query)
    paginator = Paginator(posts, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return JsonResponse({"error": f"page {number} does not exist"}, status=404)
    return JsonResponse(
        {
            "q": query,
            "page": page.number,
            "pages": paginator.num_pages,
            "results": [post_as_dict(post) for post in page],
        }
    )


# [/docs:post-list]


# [docs:post-create]
def create_post(request: HttpRequest) -> JsonResponse:
    """POST /posts/ with a JSON body {"author": id, "title": str, "body": str}."""
    if request.content_type != "application/json":
        return JsonResponse({"error": "expected application/json"}, status=415)
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": "invalid JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "expected a JSON object"}, status=400)
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        return JsonResponse({"error": "title is required"}, status=400)
    author_id = payload.get("author")
    author = Author.objects.filter(pk=author_id).first() if isinstance(author_id, int) else None
    if author is None:
        return JsonResponse({"error": "author must be the id of an existing author"}, status=400)
    post = Post.objects.create(author=author, title=title, body=str(payload.get("body", "")))
    response = JsonResponse(post_as_dict(post), status=201)
    response["Location"] = reverse("post-detail", args=[post.pk])
    return response


# [/docs:post-create]


# [docs:posts]
# A JSON API called by programs, not by a browser holding a session cookie,
# so there is no cross-site request to forge: CSRF protection is off here only.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def posts(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return create_post(request)
    return list_posts(request)


# [/docs:posts]


# [docs:home]
def home(request: HttpRequest) -> HttpResponse:
    latest = Post.objects.select_related("author").order_by("-id")[:5]
    return render(request, "blog/home.html", {"title": "Latest posts", "posts": latest})


# [/docs:home]


# [docs:not-found]
def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse({"error": "not found", "path": request.path}, status=404)


# [/docs:not-found]
