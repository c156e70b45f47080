"""The retry decorator, against real SQLSTATE 40001 aborts from the database.

A second connection commits a change to the row a transaction has read but not
yet written; at SERIALIZABLE isolation the transaction's write then fails with
SQLSTATE 40001, every time, with no timing involved.
"""

import logging
import re

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from bank.models import Product
from bank.retry import TransactionRetriesExhausted, retry_on_serialization_failure

RETRY_LOG = re.compile(r"SQLSTATE 40001 on attempt (\d+), retrying in ([0-9.]+) s")


@pytest.fixture
def pen(transactional_db: None) -> Product:
    return Product.objects.create(name="Pen", price="1.50", stock=100)


def take_one(pen: Product, other: psycopg.Connection, interfere: list[bool]) -> int:
    """Read the stock, let another client change it if told to, then write it."""
    stock = Product.objects.get(pk=pen.pk).stock
    if interfere.pop(0):
        other.execute("UPDATE bank_product SET stock = stock - 1 WHERE id = %s", [pen.pk])
    Product.objects.filter(pk=pen.pk).update(stock=stock - 1)
    return stock - 1


def test_serializable_aborts_the_transaction_with_40001(pen, other_connection):
    with pytest.raises(OperationalError) as caught, transaction.atomic():
        take_one(pen, other_connection, [True])
    assert isinstance(caught.value.__cause__, psycopg.errors.SerializationFailure)
    assert caught.value.__cause__.sqlstate == "40001"
    # Only the other client's update happened: no update was lost.
    assert Product.objects.get(pk=pen.pk).stock == 99


def test_the_decorator_runs_the_whole_transaction_again(pen, other_connection, caplog):
    caplog.set_level(logging.INFO, logger="bank.retry")
    retried = retry_on_serialization_failure()(take_one)
    # Interfere on the first two attempts only.
    # Third attempt: it reads the stock the other client left, 100 - 2.
    assert retried(pen, other_connection, [True, True, False]) == 97
    assert Product.objects.get(pk=pen.pk).stock == 97
    attempts = [int(RETRY_LOG.search(r.getMessage())[1]) for r in caplog.records]
    assert attempts == [1, 2]


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(pen, other_connection, caplog):
    caplog.set_level(logging.INFO, logger="bank.retry")
    retried = retry_on_serialization_failure(base_delay=0.001, max_delay=0.004)(take_one)
    retried(pen, other_connection, [True] * 5 + [False])
    delays = [float(RETRY_LOG.search(r.getMessage())[2]) for r in caplog.records]
    caps = [0.001, 0.002, 0.004, 0.004, 0.004]
    assert len(delays) == len(caps)
    assert all(0 <= delay <= cap + 0.0005 for delay, cap in zip(delays, caps, strict=True))


def test_it_gives_up_when_the_time_budget_is_spent_with_a_clear_error(pen, other_connection):
    retried = retry_on_serialization_failure(budget=0.2, base_delay=0.02, max_delay=0.02)(take_one)
    with pytest.raises(TransactionRetriesExhausted) as caught:
        retried(pen, other_connection, [True] * 1000)
    message = re.fullmatch(
        r"take_one: transaction aborted with SQLSTATE 40001 on every attempt for 0.2 s "
        r"\(attempts: (\d+)\); giving up",
        str(caught.value),
    )
    assert message, caught.value
    attempts = int(message[1])
    # Delays of at most 0.02 s: several attempts fit in the budget, not 1000.
    assert 2 <= attempts < 1000
    assert caught.value.__cause__.__cause__.sqlstate == "40001"
    # Each attempt was rolled back; only the other client's updates remain.
    assert Product.objects.get(pk=pen.pk).stock == 100 - attempts


def test_a_budget_of_zero_makes_one_attempt(pen, other_connection):
    retried = retry_on_serialization_failure(budget=0)(take_one)
    with pytest.raises(TransactionRetriesExhausted, match=r"\(attempts: 1\)"):
        retried(pen, other_connection, [True, True])
    assert Product.objects.get(pk=pen.pk).stock == 99


def test_other_errors_are_not_retried(pen):
    calls = []

    @retry_on_serialization_failure()
    def duplicate() -> None:
        calls.append(1)
        Product.objects.create(id=pen.pk, name="Pen again", price="1", stock=1)

    with pytest.raises(IntegrityError):
        duplicate()
    assert calls == [1]


def test_it_refuses_to_run_inside_an_outer_transaction(pen, other_connection):
    retried = retry_on_serialization_failure()(take_one)
    with pytest.raises(RuntimeError, match="must start the transaction"), transaction.atomic():
        retried(pen, other_connection, [False])


def test_the_budget_must_not_be_negative():
    with pytest.raises(ValueError, match="must not be negative"):
        retry_on_serialization_failure(budget=-1)


def test_other_operational_errors_are_not_retried(pen):
    calls = []

    @retry_on_serialization_failure()
    def too_slow() -> None:
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 10")
            cursor.execute("SELECT pg_sleep(1)")

    # A cancelled statement (SQLSTATE 57014) is an OperationalError too, but not 40001.
    with pytest.raises(OperationalError, match="statement timeout"):
        too_slow()
    assert calls == [1]
