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


SERIALIZATION_FAILURE = "40001"


class TransactionRetriesExhausted(OperationalError):
    """The transaction was aborted with SQLSTATE 40001 on every attempt."""


def is_serialization_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (a Django database error) wraps SQLSTATE 40001."""
    return getattr(exc.__cause__, "sqlstate", None) == SERIALIZATION_FAILURE


def retry_on_serialization_failure[**P, R](
    budget: float = 10.0,
    base_delay: float = 0.01,
    max_delay: float = 0.5,
    using: str = DEFAULT_DB_ALIAS,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated function in ``transaction.atomic()``, retrying on SQLSTATE 40001.

    Before attempt *n* + 1 the wrapper sleeps a random time between 0 and
    ``min(max_delay, base_delay * 2 ** (n - 1))`` seconds ("full jitter"), so
    that the transactions that collided do not collide again. It retries as
    long as the next attempt starts within ``budget`` seconds of the first:
    the caller waits a bounded time, however many collisions a busy row (or a
    busy machine) causes. Any other error is raised at once. When the budget
    is spent it raises :class:`TransactionRetriesExhausted`, chained to the
    last abort.

    The function is run again from the top, so it must not have side effects
    outside the database (e-mails, HTTP calls, ...) that a retry would repeat.
    """
    if budget < 0:
        raise ValueError("budget must not be negative")

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if transaction.get_connection(using).in_atomic_block:
                # A savepoint cannot be retried: 40001 aborts the outer transaction too.
                raise RuntimeError(
                    f"{func.__qualname__} must start the transaction, but it was called "
                    "inside transaction.atomic() (or with ATOMIC_REQUESTS)"
                )
            deadline = time.monotonic() + budget
            attempt = 1
            while True:
                try:
                    with transaction.atomic(using=using):
                        return func(*args, **kwargs)
                except OperationalError as exc:
                    if not is_serialization_failure(exc):
                        raise
                    delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
                    if time.monotonic() + delay > deadline:
                        raise TransactionRetriesExhausted(
                            f"{func.__qualname__}: transaction aborted with SQLSTATE 40001 on "
                            f"every attempt for {budget:g} s (attempts: {attempt}); giving up"
                        ) from exc
                    logger.info(
                        "%s: SQLSTATE 40001 on attempt %d, retrying in %.3f s",
                        func.__qualname__,
                        attempt,
                        delay,
                    )
                    time.sleep(delay)
                    attempt += 1

        return wrapper

    return decorator
