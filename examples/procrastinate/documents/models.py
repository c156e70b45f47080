"""The one model of the example: a document that background jobs fill in."""

from django.db import models


class Document(models.Model):
    """A text submitted over HTTP; tasks count its words, summarise and export it."""

    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    word_count = models.PositiveIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Document {self.pk}"
