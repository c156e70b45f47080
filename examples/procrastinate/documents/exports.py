"""A slow task, kept outside ``tasks.py`` and found through ``PROCRASTINATE_IMPORT_PATHS``."""

import time

from django.utils import timezone
from procrastinate.contrib.django import app

from .models import Document


@app.task(queue="exports")
def export_document(document_id: int, work_seconds: float = 2.0) -> None:
    """Stand in for a slow export (``work_seconds`` of work), then stamp ``exported_at``."""
    time.sleep(work_seconds)
    Document.objects.filter(pk=document_id).update(exported_at=timezone.now())
