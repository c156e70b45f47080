"""Launching DBOS in the processes that serve requests, and only there."""

from dbos import DBOS, DBOSConfig
from django.conf import settings

from onboarding.workflows import register_queues


def launch_dbos(config: DBOSConfig | None = None) -> None:
    """Configure DBOS from ``settings.DBOS`` (or ``config``), launch it, register the queues.

    Launching connects to the system database, migrates its schema, starts
    the background threads and recovers this executor's pending workflows.
    The workflow functions must be imported by then, or they cannot be
    recovered: the onboarding app's ``ready()`` imports them.
    """
    DBOS(config=config if config is not None else settings.DBOS)
    DBOS.launch()
    register_queues()
