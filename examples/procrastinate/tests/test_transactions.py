"""A job deferred inside a transaction lives and dies with that transaction."""

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from documents.models import Document
from documents.tasks import count_words


class PaymentDeclined(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_takes_the_job_with_it() -> None:
    with pytest.raises(PaymentDeclined), transaction.atomic():
        document = Document.objects.create(text="never committed")
        count_words.defer(document_id=document.pk)
        assert ProcrastinateJob.objects.filter(status="todo").count() == 1
        raise PaymentDeclined

    assert not Document.objects.exists()
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_worker_sees_the_job_only_after_commit(run_worker) -> None:
    with transaction.atomic():
        document = Document.objects.create(text="one two")
        job_id = count_words.defer(document_id=document.pk)
        # Another process, another connection: the uncommitted row is invisible.
        result = run_worker("--queues", "documents")
        assert "No job found" in result.stderr
        assert ProcrastinateJob.objects.get(pk=job_id).status == "todo"

    run_worker("--queues", "documents")

    assert ProcrastinateJob.objects.get(pk=job_id).status == "succeeded"
    document.refresh_from_db()
    assert document.word_count == 2
