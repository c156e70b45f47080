"""The bank's write transactions, each retried as a whole on SQLSTATE 40001."""

from decimal import Decimal
from uuid import UUID

from .models import Customer, Order, Product
from .retry import retry_on_serialization_failure


class Rejected(Exception):
    """A request the data does not allow; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class OutOfStock(Rejected):
    status = 409


@retry_on_serialization_failure()
def create_customer(name: str) -> Customer:
    return Customer.objects.create(name=name)


@retry_on_serialization_failure()
def create_product(name: str, price: Decimal, stock: int) -> Product:
    return Product.objects.create(name=name, price=price, stock=stock)


# [docs:place-order]
@retry_on_serialization_failure()
def place_order(customer_id: UUID, product_ids: list[UUID]) -> Order:
    """Order one item of each product, taking it from stock.

    Raises :class:`Rejected` for an unknown customer or product and
    :class:`OutOfStock` when a product has none left; the transaction is then
    rolled back, so nothing of the order is written.
    """
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Rejected(f"unknown customer {customer_id}")
    products = Product.objects.in_bulk(product_ids)
    for product_id in product_ids:
        product = products.get(product_id)
        if product is None:
            raise Rejected(f"unknown product {product_id}")
        if product.stock == 0:
            raise OutOfStock(f"{product.name} is out of stock")
        # A plain read-modify-write: SERIALIZABLE guarantees that no concurrent
        # order read the same stock, aborting one of them with 40001 instead.
        product.stock -= 1
        product.save(update_fields=["stock"])
    total = sum((product.price for product in products.values()), Decimal("0.00"))
    order = Order.objects.create(customer=customer, total=total)
    order.products.add(*products.values())
    return order


# [/docs:place-order]
