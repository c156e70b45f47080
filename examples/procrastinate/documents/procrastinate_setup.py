"""Customisation of the Procrastinate app, called through ``PROCRASTINATE_ON_APP_READY``."""

import procrastinate

from .maintenance import blueprint


def on_app_ready(app: procrastinate.App) -> None:
    """Add the blueprint's tasks to the app, named ``maintenance:<task>``."""
    app.add_tasks_from(blueprint, namespace="maintenance")
