"""Deferring from the views, and a real worker process doing the work."""

import json
import urllib.error
import urllib.request

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from procrastinate.contrib.django.models import ProcrastinateJob

from documents.models import Document

TEXT = "Procrastinate keeps its queue in the same PostgreSQL database as the site"


def post_json(url: str, body: bytes) -> tuple[int, dict]:
    """POST over a real socket and return the status and decoded JSON body."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.django_db(transaction=True)
def test_http_defer_then_worker_processes(live_server, run_worker) -> None:
    status, body = post_json(f"{live_server.url}/documents/", json.dumps({"text": TEXT}).encode())
    assert status == 202
    document_id = body["id"]
    job = ProcrastinateJob.objects.get(pk=body["job"])
    assert (job.task_name, job.status, job.args) == (
        "documents.tasks.count_words",
        "todo",
        {"document_id": document_id},
    )

    result = run_worker("--queues", "documents")

    document = Document.objects.get(pk=document_id)
    assert document.word_count == 12
    assert document.summary == "Procrastinate keeps its queue in the same PostgreSQL"
    statuses = dict(
        ProcrastinateJob.objects.filter(args__document_id=document_id).values_list(
            "task_name", "status"
        )
    )
    assert statuses == {"documents.tasks.count_words": "succeeded", "summarise": "succeeded"}
    # The LOGGING setting routes the worker's job lines to stderr, result included.
    assert f"count_words[{body['job']}](document_id={document_id}) ended with status: Success" in (
        result.stderr
    )
    assert "Result: 12" in result.stderr

    with urllib.request.urlopen(f"{live_server.url}/documents/{document_id}/") as response:
        detail = json.load(response)
    assert detail == {
        "id": document_id,
        "word_count": 12,
        "summary": "Procrastinate keeps its queue in the same PostgreSQL",
        "exported": False,
        "jobs": [
            {"task": "documents.tasks.count_words", "status": "succeeded"},
            {"task": "summarise", "status": "succeeded"},
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_async_view_defers(run_worker) -> None:
    post = async_to_sync(AsyncClient().post)
    response = post("/documents/async/", {"text": "three small words"}, "application/json")
    assert response.status_code == 202
    document_id = response.json()["id"]
    assert ProcrastinateJob.objects.filter(status="todo").count() == 2

    run_worker()

    document = Document.objects.get(pk=document_id)
    assert (document.word_count, document.summary) == (3, "three small words")


@pytest.mark.parametrize("path", ["/documents/", "/documents/async/"])
@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        (b"{not json", "body", "Malformed JSON: Expecting property name"),
        (b"\xff\xfe", "body", "Malformed JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "JSON nested too deeply."),
        (b"[1, 2]", "body", "Send a JSON object."),
        (b'{"title": "no text"}', "text", "This field is required."),
        (b'{"text": "   "}', "text", "This field is required."),
        (b'{"text": 42}', "text", "Enter a string."),
        (b'{"text": true}', "text", "Enter a string."),
        (b'{"text": {"title": "an object"}}', "text", "Enter a string."),
        (rb'{"text": "a\u0000b"}', "text", "Null characters are not allowed."),
        (rb'{"text": "a\ud800b"}', "text", "Enter text without lone surrogates."),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_400_and_defers_nothing(
    client: Client, path: str, body: bytes, field: str, error: str
) -> None:
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert error in " ".join(response.json()["errors"][field])
    assert not ProcrastinateJob.objects.exists()
    assert not Document.objects.exists()


@pytest.mark.parametrize("path", ["/documents/", "/documents/async/"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
@pytest.mark.django_db
def test_body_not_sent_as_json_is_415(client: Client, path: str, content_type: str) -> None:
    response = client.post(path, b'{"text": "hello"}', content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {"errors": {"Content-Type": ["Send application/json."]}}
    assert not ProcrastinateJob.objects.exists()
    assert not Document.objects.exists()


@pytest.mark.parametrize("path", ["/documents/", "/documents/async/"])
@pytest.mark.django_db
def test_body_over_the_upload_limit_is_413(client: Client, path: str, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(path, {"text": "a" * 100}, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"errors": {"body": ["Send at most 100 bytes."]}}
    assert not Document.objects.exists()


@pytest.mark.parametrize("path", ["/documents/", "/documents/async/", "/documents/1/export/"])
@pytest.mark.django_db
def test_wrong_method_is_405_and_defers_nothing(client: Client, path: str) -> None:
    Document.objects.create(pk=1, text="exists")
    assert client.get(path).status_code == 405
    assert client.put(path, "{}", content_type="application/json").status_code == 405
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/documents/999/"),
        ("post", "/documents/999/export/"),
        ("get", f"/documents/{2**63}/"),
        ("post", f"/documents/{10**30}/export/"),
        ("get", "/documents/-1/"),
        ("get", f"/documents/{'9' * 5000}/"),
        ("get", "/documents/%00/"),
    ],
)
@pytest.mark.django_db
def test_missing_document_is_a_json_404(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["path"]
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db
def test_document_detail_is_get_only(client: Client) -> None:
    assert client.post("/documents/1/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_queueing_lock_refuses_a_second_waiting_export(client: Client, run_worker) -> None:
    document = Document.objects.create(text="export me")
    url = f"/documents/{document.pk}/export/"

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json() == {"error": "an export of this document is already queued"}
    job = ProcrastinateJob.objects.get(task_name="documents.exports.export_document")
    assert job.queueing_lock == f"export-document-{document.pk}"

    run_worker("--queues", "exports")

    # The lock only covers waiting jobs: once the export ran, a new one is accepted.
    assert client.post(url).status_code == 202
    document.refresh_from_db()
    assert document.exported_at is not None
