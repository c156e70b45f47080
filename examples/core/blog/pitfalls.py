"""Mistakes the recipe warns about, kept runnable so the tests show what they do."""

from django.http import HttpRequest, JsonResponse


def dict_view(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"ok": True}  # WRONG: Django needs an HttpResponse


# [/docs:dict-wrong]


# [docs:dict-right]
def json_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


# [/docs:dict-right]
