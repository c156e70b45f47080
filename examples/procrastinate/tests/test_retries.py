"""A task that really fails: how many times RetryStrategy(max_attempts=3) runs it."""

import pytest
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from documents.models import Document
from documents.tasks import notify_subscribers


@pytest.mark.django_db(transaction=True)
def test_max_attempts_3_runs_the_task_4_times(run_worker) -> None:
    document = Document.objects.create(text="nobody is listening")
    job_id = notify_subscribers.defer(document_id=document.pk)

    result = run_worker()

    job = ProcrastinateJob.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.attempts == 4
    events = list(
        ProcrastinateEvent.objects.filter(job_id=job_id)
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert events.count("started") == 4
    assert events.count("deferred_for_retry") == 3
    assert events[-1] == "failed"
    # The first three failures are logged as retries, the fourth as the final error.
    assert result.stderr.count("ended with status: Error, to retry") == 3
    assert result.stderr.count("ERROR procrastinate.worker: Job documents.tasks.notify") == 1
    assert "Connection refused" in result.stderr
