"""The job and event models: read from the ORM, shown in the admin, and how read-only they are."""

import pytest
from django.test import Client
from django.utils.html import escape
from django.utils.module_loading import import_string
from procrastinate.contrib.django import app
from procrastinate.contrib.django.exceptions import ReadOnlyModel
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from documents.models import Document
from documents.tasks import count_words


def test_task_names() -> None:
    # What a worker does when it starts: import PROCRASTINATE_IMPORT_PATHS.
    app.perform_import_paths()
    assert sorted(
        name for name in app.tasks if not name.startswith(("builtin:", "procrastinate."))
    ) == [
        "documents.exports.export_document",
        "documents.tasks.count_words",
        "documents.tasks.notify_subscribers",
        "maintenance:retry_stalled",
        "summarise",
    ]
    assert app.periodic_registry.periodic_tasks[("maintenance:retry_stalled", "")].cron == (
        "*/5 * * * *"
    )


def test_the_seeds_read_only_router_does_not_exist() -> None:
    with pytest.raises(ImportError):
        import_string("procrastinate.contrib.django.ProcrastinateReadOnlyRouter")


@pytest.mark.django_db
def test_read_only_guard_refuses_writes_through_the_manager_and_instances() -> None:
    job_id = count_words.defer(document_id=1)
    job = ProcrastinateJob.objects.get(pk=job_id)

    with pytest.raises(ReadOnlyModel):
        ProcrastinateJob.objects.create(task_name="x", queue_name="q", args={}, status="todo")
    with pytest.raises(ReadOnlyModel):
        ProcrastinateJob.objects.update(priority=5)
    with pytest.raises(ReadOnlyModel):
        ProcrastinateJob.objects.delete()
    with pytest.raises(ReadOnlyModel):
        job.save()
    with pytest.raises(ReadOnlyModel):
        job.delete()
    assert ProcrastinateJob.objects.get(pk=job_id).priority == 0


@pytest.mark.django_db
def test_read_only_guard_misses_querysets() -> None:
    job_id = count_words.defer(document_id=1)

    # A queryset from filter()/all() is a plain QuerySet: update and delete go through.
    assert ProcrastinateJob.objects.filter(pk=job_id).update(priority=5) == 1
    assert ProcrastinateJob.objects.get(pk=job_id).priority == 5
    deleted, per_model = ProcrastinateJob.objects.filter(pk=job_id).delete()
    assert per_model == {"procrastinate.ProcrastinateEvent": 1, "procrastinate.ProcrastinateJob": 1}
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_models_and_admin_show_processed_jobs(admin_client: Client, run_worker) -> None:
    document = Document.objects.create(text="shown in the admin")
    job_id = count_words.defer(document_id=document.pk)
    run_worker("--queues", "documents")

    # [docs:query-models]
    job = ProcrastinateJob.objects.get(task_name="documents.tasks.count_words")
    events = ProcrastinateEvent.objects.filter(job=job).order_by("at")
    # [/docs:query-models]
    assert (job.pk, job.status, job.args) == (job_id, "succeeded", {"document_id": document.pk})
    assert [event.type for event in events] == ["deferred", "started", "succeeded"]

    listing = admin_client.get("/admin/procrastinate/procrastinatejob/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "d.t.count_words" in html
    assert "Succeeded" in html
    assert escape(f'{{"document_id": {document.pk}}}') in html

    detail = admin_client.get(f"/admin/procrastinate/procrastinatejob/{job_id}/change/")
    assert detail.status_code == 200
    assert "documents.tasks.count_words" in detail.content.decode()
    assert detail.context["has_change_permission"] is False

    # The documents' admin names each one by its __str__.
    change = admin_client.get(f"/admin/documents/document/{document.pk}/change/")
    assert change.status_code == 200
    assert f"Document {document.pk}</" in change.content.decode()
