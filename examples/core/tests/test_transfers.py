"""Two writes that belong together: what transaction.atomic changes."""

import threading

import pytest
from django.db import IntegrityError, connection

from blog.models import MAX_BALANCE, Account
from blog.transfers import transfer, transfer_without_atomic


def accounts() -> tuple[Account, Account]:
    # The target is near the limit, so crediting it fails after the debit.
    return (
        Account.objects.create(owner="Ada", balance=1_000),
        Account.objects.create(owner="Bob", balance=MAX_BALANCE - 200),
    )


def total() -> int:
    return sum(Account.objects.values_list("balance", flat=True))


@pytest.mark.django_db(transaction=True)
def test_without_atomic_an_interrupted_transfer_loses_money() -> None:
    ada, bob = accounts()
    before = total()
    with pytest.raises(IntegrityError):
        transfer_without_atomic(ada, bob, 500)
    ada.refresh_from_db()
    bob.refresh_from_db()
    # The debit was committed on its own; the credit never happened.
    assert (ada.balance, bob.balance) == (500, MAX_BALANCE - 200)
    assert total() == before - 500


@pytest.mark.django_db(transaction=True)
def test_atomic_transfer_rolls_back_both_writes() -> None:
    ada, bob = accounts()
    before = total()
    with pytest.raises(IntegrityError):
        transfer(ada, bob, 500)
    ada.refresh_from_db()
    bob.refresh_from_db()
    assert (ada.balance, bob.balance) == (1_000, MAX_BALANCE - 200)
    assert total() == before


@pytest.mark.django_db(transaction=True)
def test_atomic_transfer_moves_the_money() -> None:
    ada, bob = accounts()
    transfer(ada, bob, 150)
    assert Account.objects.get(pk=ada.pk).balance == 850
    assert Account.objects.get(pk=bob.pk).balance == MAX_BALANCE - 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_keep_every_unit() -> None:
    ada = Account.objects.create(owner="Ada", balance=10_000)
    bob = Account.objects.create(owner="Bob", balance=0)
    errors: list[BaseException] = []

    def send(times: int) -> None:
        try:
            for _ in range(times):
                transfer(ada, bob, 1)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(50,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Account.objects.get(pk=ada.pk).balance == 10_000 - 200
    assert Account.objects.get(pk=bob.pk).balance == 200


@pytest.mark.django_db
def test_account_string_shows_owner_and_balance() -> None:
    assert str(Account.objects.create(owner="Ada", balance=5)) == "Ada: 5"
