"""JSON views over customers, products and orders.

Errors are answered as ``{"error": "..."}``: 400 for malformed input, 404 for
an unknown id in the URL, 405 for a method the URL does not serve, 409 for an
order of a product that is out of stock, 413 for a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, 415 for a body that is not declared as JSON, and
503 when a transaction kept conflicting with concurrent ones for the whole of
its retry budget.
"""

from typing import Any, ClassVar
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import Customer, Order, Product
from .retry import TransactionRetriesExhausted
from .validation import checked, field_value, parse_json_object


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


# [docs:resources]
class CustomerList(ListView):
    model = Customer

    def post(self, request: HttpRequest) -> JsonResponse:
        body = parse_json_object(request)
        customer = services.create_customer(name=field_value(body, Customer, "name"))
        return JsonResponse(customer.as_json(), status=201)


class CustomerDetail(DetailView):
    model = Customer


class ProductList(ListView):
    model = Product

    def post(self, request: HttpRequest) -> JsonResponse:
        body = parse_json_object(request)
        product = services.create_product(
            name=field_value(body, Product, "name"),
            price=field_value(body, Product, "price"),
            stock=field_value(body, Product, "stock"),
        )
        return JsonResponse(product.as_json(), status=201)


class ProductDetail(DetailView):
    model = Product


class OrderList(ListView):
    model = Order
    ordering = "id"

    def post(self, request: HttpRequest) -> JsonResponse:
        body = parse_json_object(request)
        customer_id = field_value(body, Order, "customer")
        products = body.get("products")
        if not isinstance(products, list) or not products:
            raise services.Rejected("products: expected a non-empty array")
        product_ids = [checked(value, Product._meta.pk, "products") for value in products]
        if len(set(product_ids)) != len(product_ids):
            raise services.Rejected("products: each product at most once")
        order = services.place_order(customer_id, product_ids)
        return JsonResponse(order.as_json(), status=201)


class OrderDetail(DetailView):
    model = Order


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """The 404 of a URL that matches no route (``handler404`` in mysite/urls.py)."""
    return JsonResponse({"error": "not found", "path": request.path}, status=404)
