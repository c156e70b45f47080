from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self) -> None:
        """Register the app's workflows with DBOS, without launching it.

        Every process that sets Django up runs this (``migrate``, ``check``,
        the autoreloader's parent, the tests), so it must stay cheap and must
        not connect anywhere. Importing the module is enough: DBOS's
        decorators record the workflows and steps in a registry that
        ``DBOS.launch()`` reads.
        """
        from onboarding import workflows  # noqa: F401
