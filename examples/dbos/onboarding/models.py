from django.db import models


class Email(models.Model):
    """An email the onboarding workflow sent: one row per send.

    A real project would hand the message to a mail service in the same
    step; this outbox row is what lets the tests count how often each step
    really ran.
    """

    class Kind(models.TextChoices):
        WELCOME = "welcome"
        FOLLOW_UP = "follow-up"

    to = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind)
    workflow_id = models.CharField(max_length=100, db_index=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"
