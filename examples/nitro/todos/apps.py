from django.apps import AppConfig
from django.db.models.signals import post_migrate


# [docs:app-config]
class TodosConfig(AppConfig):
    name = "todos"

    def ready(self) -> None:
        """Put Nitro on Django's database before any request or command runs."""
        from . import database, entities  # noqa: F401  (entities: their tables)

        database.configure_repository()
        post_migrate.connect(database.create_tables, sender=self)
        # [/docs:app-config]
