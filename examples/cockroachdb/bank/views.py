"""JSON views over customers, products and orders.

Errors are answered as ``{"error": "..."}``: 400 for malformed input, 404 for
an unknown id in the URL, 405 for a method the URL does not serve, 409 for an
order of a product that is out of stock, and 503 when a transaction kept
conflicting with concurrent ones after every retry.
"""

import json
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import Customer, Order, Product
from .retry import TransactionRetriesExhausted

CENT = Decimal("0.01")
MAX_PRICE = Decimal("1e16")  # Product.price has 18 digits, 2 after the point.


# [docs:views]
# A JSON API for non-browser clients: there is no session cookie to protect.
@method_decorator(csrf_exempt, name="dispatch")
class JsonView(View):
    """Turns :class:`services.Rejected` and exhausted retries into JSON errors."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except services.Rejected as exc:
            return JsonResponse({"error": exc.message}, status=exc.status)
        except TransactionRetriesExhausted as exc:
            return JsonResponse({"error": str(exc)}, status=503, headers={"Retry-After": "1"})

    def json_body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body)
        except ValueError as exc:
            raise services.Rejected(f"malformed JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise services.Rejected("expected a JSON object")
        return body


class ListView(JsonView):
    """GET: every row, sorted by ``ordering``."""

    model: ClassVar[type[Customer | Product | Order]]
    ordering: ClassVar[str] = "name"

    def get(self, request: HttpRequest) -> JsonResponse:
        rows = self.model.objects.order_by(self.ordering)
        return JsonResponse([row.as_json() for row in rows], safe=False)


class DetailView(JsonView):
    """GET: one row by its id, or 404."""

    model: ClassVar[type[Customer | Product | Order]]

    def get(self, request: HttpRequest, pk: UUID) -> JsonResponse:
        row = self.model.objects.filter(pk=pk).first()
        if row is None:
            return JsonResponse({"error": f"no {self.model.__name__.lower()} {pk}"}, status=404)
        return JsonResponse(row.as_json())


class CustomerList(ListView):
    model = Customer

    def post(self, request: HttpRequest) -> JsonResponse:
        body = self.json_body()
        customer = services.create_customer(name=text(body, "name"))
        return JsonResponse(customer.as_json(), status=201)


class CustomerDetail(DetailView):
    model = Customer


class ProductList(ListView):
    model = Product

    def post(self, request: HttpRequest) -> JsonResponse:
        body = self.json_body()
        product = services.create_product(
            name=text(body, "name"), price=price(body, "price"), stock=count(body, "stock")
        )
        return JsonResponse(product.as_json(), status=201)


class ProductDetail(DetailView):
    model = Product


class OrderList(ListView):
    model = Order
    ordering = "id"

    def post(self, request: HttpRequest) -> JsonResponse:
        body = self.json_body()
        product_ids = [as_uuid(value, "products") for value in array(body, "products")]
        if len(set(product_ids)) != len(product_ids):
            raise services.Rejected("products: each product at most once")
        order = services.place_order(as_uuid(body.get("customer"), "customer"), product_ids)
        return JsonResponse(order.as_json(), status=201)


class OrderDetail(DetailView):
    model = Order


# [/docs:views]


def text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise services.Rejected(f"{key}: expected a non-empty string")
    return value


def price(body: dict[str, Any], key: str) -> Decimal:
    try:
        value = Decimal(str(body.get(key)))
    except InvalidOperation as exc:
        raise services.Rejected(f"{key}: expected a decimal number") from exc
    if not (value.is_finite() and 0 <= value < MAX_PRICE and value == value.quantize(CENT)):
        raise services.Rejected(f"{key}: expected a non-negative amount with at most 2 decimals")
    return value


def count(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if type(value) is not int or value < 0:
        raise services.Rejected(f"{key}: expected a non-negative integer")
    return value


def array(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    if not isinstance(value, list) or not value:
        raise services.Rejected(f"{key}: expected a non-empty list")
    return value


def as_uuid(value: Any, key: str) -> UUID:
    try:
        return UUID(value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise services.Rejected(f"{key}: {value!r} is not a UUID") from exc
