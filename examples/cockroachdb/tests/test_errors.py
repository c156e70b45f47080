"""How the views report what the retry decorator and the models raise."""

from decimal import Decimal

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from bank.models import Customer, Order, Product
from bank.retry import TransactionRetriesExhausted
from bank.views import JsonView


class AlwaysAborted(JsonView):
    def post(self, request: HttpRequest) -> HttpResponse:
        raise TransactionRetriesExhausted("place_order: aborted on every attempt for 10 s")


def test_exhausted_retries_are_a_503_that_asks_to_retry_later() -> None:
    response = AlwaysAborted.as_view()(RequestFactory().post("/orders/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert b"aborted on every attempt for 10 s" in response.content


@pytest.mark.django_db
def test_models_read_as_their_names() -> None:
    ada = Customer.objects.create(name="Ada")
    pen = Product.objects.create(name="Pen", price=Decimal("1.50"), stock=1)
    order = Order.objects.create(customer=ada)
    assert (str(ada), str(pen), str(order)) == ("Ada", "Pen", f"Order {order.id}")
