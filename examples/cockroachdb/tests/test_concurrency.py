"""Concurrent orders of one product: SERIALIZABLE aborts some, the decorator retries them.

Orders run in threads of their own, each with its own database connection, as
the requests of a threaded server do; the server is a real one (pytest-django's
``live_server``) reached over HTTP.
"""

import json
import logging
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from bank import services
from bank.models import Customer, Order, Product
from bank.retry import is_serialization_failure

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 8


def concurrently[T](count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` for i in range(count), all threads starting together."""
    start = threading.Barrier(count)

    def run(i: int) -> T:
        start.wait()
        try:
            return work(i)
        finally:
            # Each thread opened its own connection; the test database is
            # dropped at the end and refuses to go while one is open.
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def post_json(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture
def shop() -> tuple[Customer, Product]:
    return Customer.objects.create(name="Carl"), Product.objects.create(
        name="Pen", price="1.50", stock=1000
    )


def retries(caplog: pytest.LogCaptureFixture) -> int:
    return sum("SQLSTATE 40001" in record.getMessage() for record in caplog.records)


def most_attempts(caplog: pytest.LogCaptureFixture) -> int:
    """The highest attempt number any transaction needed."""
    failed = [record.args[1] for record in caplog.records if "SQLSTATE 40001" in record.msg]
    return max(failed, default=0) + 1


def test_without_the_decorator_concurrent_orders_fail_with_40001(shop, record_property):
    customer, pen = shop
    place_order_once = services.place_order.__wrapped__

    def order(_: int) -> str:
        try:
            with transaction.atomic():
                place_order_once(customer.pk, [pen.pk])
        except OperationalError as exc:
            assert is_serialization_failure(exc), exc
            return "40001"
        return "ok"

    outcomes = Counter(concurrently(CLIENTS, order))
    record_property("serialization_failures", outcomes["40001"])
    print(f"\nwithout retries: {dict(outcomes)}")
    assert outcomes["40001"] > 0
    # The aborted orders left no trace; the others all took their item.
    assert Order.objects.count() == outcomes["ok"]
    assert Product.objects.get(pk=pen.pk).stock == 1000 - outcomes["ok"]


def test_with_the_decorator_every_request_succeeds(shop, live_server, caplog, record_property):
    caplog.set_level(logging.INFO, logger="bank.retry")
    customer, pen = shop
    body = {"customer": str(customer.pk), "products": [str(pen.pk)]}
    per_client = 4

    def client(_: int) -> list[int]:
        return [post_json(f"{live_server.url}/order/", body)[0] for _ in range(per_client)]

    statuses = Counter(s for batch in concurrently(CLIENTS, client) for s in batch)
    record_property("retries", retries(caplog))
    print(f"\nwith retries: {dict(statuses)}, {retries(caplog)} retries, {most_attempts(caplog)=}")
    orders = CLIENTS * per_client
    assert statuses == {201: orders}
    assert retries(caplog) > 0
    assert Product.objects.get(pk=pen.pk).stock == 1000 - orders
    assert Order.objects.count() == orders
    assert sum(o.total for o in Order.objects.all()) == orders * Decimal("1.50")


def test_stock_never_goes_negative(shop, live_server, caplog, record_property):
    caplog.set_level(logging.INFO, logger="bank.retry")
    customer, pen = shop
    Product.objects.filter(pk=pen.pk).update(stock=5)
    body = {"customer": str(customer.pk), "products": [str(pen.pk)]}

    statuses = Counter(
        concurrently(CLIENTS, lambda _: post_json(f"{live_server.url}/order/", body)[0])
    )
    record_property("retries", retries(caplog))
    print(f"\nscarce stock: {dict(statuses)}, {retries(caplog)} retries, {most_attempts(caplog)=}")
    assert statuses == {201: 5, 409: CLIENTS - 5}
    assert Product.objects.get(pk=pen.pk).stock == 0
    assert Order.objects.count() == 5
