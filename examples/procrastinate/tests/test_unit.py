"""Unit tests without a worker: Procrastinate's in-memory connector stands in for the queue.

The documents themselves still go to the real test database; only the job
table is replaced, which is what makes these tests fast.
"""

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from procrastinate import testing
from procrastinate.contrib.django import app

from documents.maintenance import retry_stalled
from documents.models import Document
from documents.tasks import summarise


@pytest.fixture
def in_memory() -> Iterator[testing.InMemoryConnector]:
    """Swap the app's connector for an in-memory queue for the length of a test."""
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


@pytest.mark.django_db
def test_view_defers_both_tasks(client: Client, in_memory: testing.InMemoryConnector) -> None:
    response = client.post("/documents/", {"text": "hello"}, content_type="application/json")

    document_id = response.json()["id"]
    assert [(job["task_name"], job["args"]) for job in in_memory.jobs.values()] == [
        ("documents.tasks.count_words", {"document_id": document_id}),
        ("summarise", {"document_id": document_id}),
    ]


# [/docs:in-memory]


def test_retry_stalled_runs_in_an_in_process_worker(in_memory: testing.InMemoryConnector) -> None:
    job_id = retry_stalled.defer(timestamp=0)

    app.run_worker(queues=["maintenance"], wait=False, install_signal_handlers=False)

    assert in_memory.jobs[job_id]["status"] == "succeeded"


@pytest.mark.django_db
def test_bad_input_defers_nothing(client: Client, in_memory: testing.InMemoryConnector) -> None:
    response = client.post("/documents/", b"{", content_type="application/json")

    assert response.status_code == 400
    assert in_memory.jobs == {}
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_summary_of_long_words_is_cut_to_its_column() -> None:
    words = ["a" * 150, "b" * 150]
    document = Document.objects.create(text=" ".join(words))

    async_to_sync(summarise.func)(document_id=document.pk)

    document.refresh_from_db()
    assert document.summary == " ".join(words)[: Document._meta.get_field("summary").max_length]
    assert len(document.summary) == 200
