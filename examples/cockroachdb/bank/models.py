"""The bank's tables: customers, products, and orders of products."""

import uuid
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models


class Customer(models.Model):
    """Someone who places orders."""

    # Random keys spread inserts over a CockroachDB cluster's ranges;
    # sequential keys would send every insert to the same node.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=250)

    def __str__(self) -> str:
        return self.name

    def as_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "name": self.name}


class Product(models.Model):
    """Something for sale, with the number of items left in stock."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=250)
    price = models.DecimalField(
        max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    stock = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "price": str(self.price),
            "stock": self.stock,
        }


class Order(models.Model):
    """One customer buying one item of each of several products."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    products = models.ManyToManyField(Product, related_name="orders")
    total = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))

    def __str__(self) -> str:
        return f"Order {self.id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "customer": str(self.customer_id),
            "products": sorted(str(pk) for pk in self.products.values_list("pk", flat=True)),
            "total": str(self.total),
        }
