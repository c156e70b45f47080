"""Moving money between accounts: two writes that must happen together."""

from django.db import transaction
from django.db.models import F

from .models import Account


def transfer_without_atomic(source: Account, target: Account, amount: int) -> None:
    """WRONG: if the second write fails, the first one stays."""
    source.balance -= amount
    source.save(update_fields=["balance"])
    target.balance += amount
    target.save(update_fields=["balance"])


# [/docs:transfer-wrong]


# [docs:transfer-right]
@transaction.atomic
def transfer(source: Account, target: Account, amount: int) -> None:
    """Both writes commit together, or neither does.

    F() makes the database do the arithmetic, so two transfers running at
    the same time cannot overwrite each other's result.
    """
    Account.objects.filter(pk=source.pk).update(balance=F("balance") - amount)
    Account.objects.filter(pk=target.pk).update(balance=F("balance") + amount)


# [/docs:transfer-right]
