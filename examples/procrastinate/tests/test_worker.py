"""Worker processes: a SIGKILL mid-job, graceful stops, options, and a worker of your own."""

import os
import signal
import time

import pytest
from asgiref.sync import async_to_sync
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from documents.exports import export_document
from documents.maintenance import retry_stalled_jobs
from documents.models import Document
from documents.tasks import count_words

from .conftest import wait_for_status

WORKER = ("manage.py", "procrastinate", "worker")


@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_a_stalled_job_that_can_be_retried(start_worker, run_worker):
    document = Document.objects.create(text="big export")
    job_id = export_document.defer(document_id=document.pk, work_seconds=3)
    worker = start_worker(*WORKER, "--queues", "exports")
    wait_for_status(job_id, "doing")

    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)

    assert worker.returncode == -signal.SIGKILL
    job = ProcrastinateJob.objects.get(pk=job_id)
    assert job.status == "doing"
    assert job.worker_id is not None
    document.refresh_from_db()
    assert document.exported_at is None

    # With the default 30 s threshold the dead worker still looks alive...
    assert async_to_sync(retry_stalled_jobs)(app.job_manager) == []
    # ...once its last heartbeat is older than the threshold, its job is requeued.
    time.sleep(1.5)
    assert async_to_sync(retry_stalled_jobs)(app.job_manager, seconds_since_heartbeat=1) == [job_id]
    assert ProcrastinateJob.objects.get(pk=job_id).status == "todo"

    run_worker("--queues", "exports")

    job = ProcrastinateJob.objects.get(pk=job_id)
    assert (job.status, job.attempts) == ("succeeded", 2)
    document.refresh_from_db()
    assert document.exported_at is not None


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_running_job_finish(start_worker) -> None:
    document = Document.objects.create(text="finish me")
    job_id = export_document.defer(document_id=document.pk, work_seconds=2)
    worker = start_worker(*WORKER, "--queues", "exports", "--shutdown-graceful-timeout", "20")
    wait_for_status(job_id, "doing")

    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)

    assert worker.returncode == 0, output
    assert ProcrastinateJob.objects.get(pk=job_id).status == "succeeded"
    document.refresh_from_db()
    assert document.exported_at is not None


@pytest.mark.django_db(transaction=True)
def test_queues_option_leaves_other_queues_alone(run_worker) -> None:
    document = Document.objects.create(text="a b c")
    count_job = count_words.defer(document_id=document.pk)
    export_job = export_document.defer(document_id=document.pk, work_seconds=0)

    run_worker("--queues", "exports")

    assert ProcrastinateJob.objects.get(pk=export_job).status == "succeeded"
    assert ProcrastinateJob.objects.get(pk=count_job).status == "todo"


@pytest.mark.django_db(transaction=True)
def test_delete_jobs_successful_removes_finished_rows(run_worker) -> None:
    document = Document.objects.create(text="a b c d")
    job_id = count_words.defer(document_id=document.pk)

    run_worker("--queues", "documents", "--delete-jobs", "successful")

    assert not ProcrastinateJob.objects.filter(pk=job_id).exists()
    document.refresh_from_db()
    assert document.word_count == 4


@pytest.mark.django_db(transaction=True)
def test_concurrency_runs_jobs_side_by_side(run_worker) -> None:
    document = Document.objects.create(text="parallel")
    job_ids = [export_document.defer(document_id=document.pk, work_seconds=1) for _ in range(3)]

    run_worker("--queues", "exports", "--concurrency", "3")

    events = ProcrastinateEvent.objects.filter(job_id__in=job_ids)
    last_start = max(e.at for e in events if e.type == "started")
    first_end = min(e.at for e in events if e.type == "succeeded")
    # All three had started before the first one finished.
    assert last_start < first_end


@pytest.mark.django_db(transaction=True)
def test_worker_script_runs_jobs_and_stops_on_sigterm(start_worker) -> None:
    document = Document.objects.create(text="from my own script")
    job_id = count_words.defer(document_id=document.pk)
    worker = start_worker("-m", "documents.worker")

    wait_for_status(job_id, "succeeded")
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)

    assert worker.returncode == 0, output
    assert "Starting worker on queues documents, exports" in output
    document.refresh_from_db()
    assert document.word_count == 4


@pytest.mark.django_db(transaction=True)
def test_worker_script_one_shot_stops_once_the_queues_are_empty(start_worker) -> None:
    document = Document.objects.create(text="one shot")
    job_id = count_words.defer(document_id=document.pk)
    worker = start_worker("-m", "documents.worker", "--one-shot")

    output, _ = worker.communicate(timeout=60)

    assert worker.returncode == 0, output
    assert "No job found. Stopping worker because wait=False" in output
    assert ProcrastinateJob.objects.get(pk=job_id).status == "succeeded"
