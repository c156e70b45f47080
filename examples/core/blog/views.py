"""Views: functions and a class, query parameters, JSON in and out, templates."""

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import Post
from .validation import Invalid, field_value, parse_json_object, text


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world")


# [/docs:hello]


# [docs:ping]
class PingView(View):
    """Only GET is defined, so any other method is answered with 405."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("pong")


# [/docs:ping]


# [docs:post-detail]
def post_as_dict(post: Post) -> dict[str, Any]:
    return {"id": post.pk, "author": post.author.name, "title": post.title, "body": post.body}


@require_GET
def post_detail(request: HttpRequest, post_id: int) -> JsonResponse:
    # The <int:post_id> converter already refused anything but digits.
    post = get_object_or_404(Post.objects.select_related("author"), pk=post_id)
    return JsonResponse(post_as_dict(post))


# [/docs:post-detail]


# [docs:post-list]
PAGE_SIZE = 10


def list_posts(request: HttpRequest) -> JsonResponse:
    """GET /posts/?q=django&page=2: posts whose title contains q, ten a page."""
    query = text(request.GET.get("q", ""), "q")
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Invalid("page", "expected a whole number") from None
    if number < 1:
        raise Invalid("page", "must be 1 or more")
    posts = Post.objects.select_related("author").filter(title__icontains=query)
    paginator = Paginator(posts, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return JsonResponse({"error": f"page: {number} does not exist"}, status=404)
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
    payload = parse_json_object(request)
    post = Post.objects.create(
        author_id=field_value(payload, Post, "author"),
        title=field_value(payload, Post, "title"),
        body=field_value(payload, Post, "body", default=""),
    )
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
    try:
        if request.method == "POST":
            return create_post(request)
        return list_posts(request)
    except Invalid as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)


# [/docs:posts]


# [docs:not-found]
def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse({"error": "not found", "path": request.path}, status=404)


# [/docs:not-found]


# [docs:home]
def home(request: HttpRequest) -> HttpResponse:
    latest = Post.objects.select_related("author").order_by("-id")[:5]
    return render(request, "blog/home.html", {"title": "Latest posts", "posts": latest})


# [/docs:home]
