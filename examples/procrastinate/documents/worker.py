"""Run a Procrastinate worker from your own script instead of ``manage.py procrastinate worker``.

Usage: ``python -m documents.worker`` (stops cleanly on SIGINT or SIGTERM).
"""

import os

import django


# [docs:worker-script]
def main() -> None:
    """Set Django up, swap in a worker connection, and run a worker until signalled."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    django.setup()
    # Imported after setup(): before it, the app is a placeholder that cannot run.
    from procrastinate.contrib.django import app

    # Django's connection cannot LISTEN for new jobs; the worker connector is a
    # psycopg connection pool built from the same DATABASES entry.
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["documents", "exports"])


# [/docs:worker-script]


if __name__ == "__main__":
    main()
