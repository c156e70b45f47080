"""What the wrong versions on the page really do."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from blog import pitfalls

urlpatterns = [
    path("wrong/", pitfalls.dict_view),
    path("right/", pitfalls.json_view),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_returning_a_dict_fails_in_the_first_middleware_that_reads_it() -> None:
    # Django checks a view's result only for None and coroutines; a dict gets
    # through, and the first middleware that touches its headers crashes.
    client = Client(raise_request_exception=True)
    with pytest.raises(AttributeError, match="'dict' object has no attribute 'headers'"):
        client.get("/wrong/")


@override_settings(ROOT_URLCONF=__name__)
def test_a_dict_view_is_a_500_for_the_caller() -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/wrong/").status_code == 500


@override_settings(ROOT_URLCONF=__name__)
def test_json_response_is_the_fix() -> None:
    response = Client().get("/right/")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
