"""Tasks of the documents app.

Procrastinate imports every installed app's ``tasks`` module when Django starts
(``PROCRASTINATE_AUTODISCOVER_MODULE_NAME``), which registers these tasks on the
app in ``procrastinate.contrib.django.app``.
"""

import json
import urllib.request

from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from .models import Document


@app.task(queue="documents")
def count_words(document_id: int) -> int:
    """Store the document's word count and return it (the worker logs the result)."""
    document = Document.objects.get(pk=document_id)
    document.word_count = len(document.text.split())
    document.save(update_fields=["word_count"])
    return document.word_count


# [/docs:sync-task]


# [docs:async-task]
@app.task(queue="documents", name="summarise")
async def summarise(document_id: int) -> None:
    """Store the first eight words of the document, cut to fit the column, as its summary."""
    document = await Document.objects.aget(pk=document_id)
    max_length = Document._meta.get_field("summary").max_length
    document.summary = " ".join(document.text.split()[:8])[:max_length]
    await document.asave(update_fields=["summary"])


# [/docs:async-task]


# [docs:retry-task]
@app.task(retry=RetryStrategy(max_attempts=3, retry_exceptions={OSError}))
def notify_subscribers(document_id: int) -> None:
    """POST the document id to the webhook; a connection error makes the job retry."""
    request = urllib.request.Request(
        settings.DOCUMENT_WEBHOOK_URL,
        data=json.dumps({"document": document_id}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


# [/docs:retry-task]
