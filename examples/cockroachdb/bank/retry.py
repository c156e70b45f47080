"""Run a function in a SERIALIZABLE transaction, retrying it when the database aborts it.

CockroachDB always, and PostgreSQL at the SERIALIZABLE isolation level, abort a
transaction that conflicts with a concurrent one, with SQLSTATE 40001
(``serialization_failure``). The client is expected to run the whole
transaction again, from its first statement.
"""

import functools
import logging
import random
import time
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction

logger = logging.getLogger(__name__)


# [docs:retry]
SERIALIZATION_FAILURE = "40001"


class TransactionRetriesExhausted(OperationalError):
    """The transaction was aborted with SQLSTATE 40001 on every attempt."""


def is_serialization_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (a Django database error) wraps SQLSTATE 40001."""
    return getattr(exc.__cause__, "sqlstate", None) == SERIALIZATION_FAILURE


def retry_on_serialization_failure[**P, R](
    attempts: int = 15,
    base_delay: float = 0.01,
    max_delay: float = 0.5,
    using: str = DEFAULT_DB_ALIAS,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated function in ``transaction.atomic()``, retrying on SQLSTATE 40001.

    Before attempt *n* + 1 the wrapper sleeps a random time between 0 and
    ``min(max_delay, base_delay * 2 ** (n - 1))`` seconds ("full jitter"), so
    that the transactions that collided do not collide again. Any other error
    is raised at once. After ``attempts`` aborted attempts it raises
    :class:`TransactionRetriesExhausted`, chained to the last abort.

    The function is run again from the top, so it must not have side effects
    outside the database (e-mails, HTTP calls, ...) that a retry would repeat.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if transaction.get_connection(using).in_atomic_block:
                # A savepoint cannot be retried: 40001 aborts the outer transaction too.
                raise RuntimeError(
                    f"{func.__qualname__} must start the transaction, but it was called "
                    "inside transaction.atomic() (or with ATOMIC_REQUESTS)"
                )
            attempt = 1
            while True:
                try:
                    with transaction.atomic(using=using):
                        return func(*args, **kwargs)
                except OperationalError as exc:
                    if not is_serialization_failure(exc):
                        raise
                    if attempt == attempts:
                        raise TransactionRetriesExhausted(
                            f"{func.__qualname__}: transaction aborted with SQLSTATE 40001 "
                            f"on all {attempts} attempts; giving up"
                        ) from exc
                    delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
                    logger.info(
                        "%s: SQLSTATE 40001 on attempt %d of %d, retrying in %.3f s",
                        func.__qualname__,
                        attempt,
                        attempts,
                        delay,
                    )
                    time.sleep(delay)
                    attempt += 1

        return wrapper

    return decorator


# [/docs:retry]
