"""Run a Procrastinate worker from your own script instead of ``manage.py procrastinate worker``.

Usage: ``python -m documents.worker [--one-shot]``. Without ``--one-shot`` it
waits for new jobs until SIGINT or SIGTERM, then stops cleanly.
"""

import argparse
import os

import django


def main(argv: list[str] | None = None) -> None:
    """Set Django up, swap in a worker connection, and run a worker."""
    parser = argparse.ArgumentParser(prog="python -m documents.worker")
    parser.add_argument(
        "--one-shot", action="store_true", help="stop once no job is waiting in the queues"
    )
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    django.setup()
    # Imported after setup(): before it, the app is a placeholder that cannot run.
    from procrastinate.contrib.django import app

    # Django's connection cannot LISTEN for new jobs; the worker connector is a
    # psycopg connection pool built from the same DATABASES entry.
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["documents", "exports"], wait=not options.one_shot)


if __name__ == "__main__":
    main()
