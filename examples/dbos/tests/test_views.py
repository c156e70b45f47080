"""The views, in the test process, with DBOS launched by the ``dbos`` fixture."""

import json
import time

import pytest
from dbos import DBOS
from django.test import Client

from onboarding.models import Email

# Every test of this module runs with DBOS launched by the fixture in conftest.py.
pytestmark = pytest.mark.usefixtures("dbos")


def post(client: Client, url: str, body: object, **headers: str):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def emails(workflow_id: str) -> list[str]:
    return list(Email.objects.filter(workflow_id=workflow_id).values_list("kind", flat=True))


def test_same_idempotency_key_runs_the_work_once(client: Client) -> None:
    body = {"email": "ada@example.com", "follow_up_after": 0.5}
    first = post(client, "/signups/background/", body, idempotency_key="signup-1")
    retry = post(client, "/signups/background/", body, idempotency_key="signup-1")

    assert first.status_code == retry.status_code == 202
    assert first.json()["workflow_id"] == retry.json()["workflow_id"] == "signup-1"
    result = DBOS.retrieve_workflow("signup-1").get_result()
    late_retry = post(client, "/signups/background/", body, idempotency_key="signup-1")

    assert late_retry.status_code == 202
    assert late_retry.json() == {"workflow_id": "signup-1", "status_url": "/workflows/signup-1/"}
    assert client.get("/workflows/signup-1/").json()["status"] == "SUCCESS"
    assert sorted(emails("signup-1")) == ["follow-up", "welcome"]
    assert result == {
        "welcome_email": Email.objects.get(workflow_id="signup-1", kind="welcome").pk,
        "follow_up_email": Email.objects.get(workflow_id="signup-1", kind="follow-up").pk,
    }


# [/docs:idempotency-test]


def test_signup_runs_both_steps_and_returns_the_result(client: Client) -> None:
    response = post(client, "/signups/", {"email": "ada@example.com"})

    assert response.status_code == 200
    result = response.json()
    welcome = Email.objects.get(pk=result["welcome_email"])
    follow_up = Email.objects.get(pk=result["follow_up_email"])
    assert str(welcome) == "welcome to ada@example.com"
    assert (follow_up.kind, follow_up.to) == ("follow-up", "ada@example.com")
    assert welcome.workflow_id == follow_up.workflow_id
    assert DBOS.get_workflow_status(welcome.workflow_id).status == "SUCCESS"


def test_follow_up_waits_for_the_durable_timer(client: Client) -> None:
    began = time.monotonic()
    response = post(client, "/signups/", {"email": "ada@example.com", "follow_up_after": 1.5})

    assert response.status_code == 200
    assert time.monotonic() - began >= 1.5
    follow_up = Email.objects.get(pk=response.json()["follow_up_email"])
    welcome = Email.objects.get(pk=response.json()["welcome_email"])
    assert (follow_up.sent_at - welcome.sent_at).total_seconds() >= 1.5


def test_different_keys_run_separately(client: Client) -> None:
    for key in ("signup-a", "signup-b"):
        response = post(
            client, "/signups/background/", {"email": "ada@example.com"}, idempotency_key=key
        )
        assert response.status_code == 202
    for key in ("signup-a", "signup-b"):
        DBOS.retrieve_workflow(key).get_result()
        assert sorted(emails(key)) == ["follow-up", "welcome"]


def test_status_reports_result_and_completed_steps(client: Client) -> None:
    post(client, "/signups/background/", {"email": "ada@example.com"}, idempotency_key="signup-s")
    result = DBOS.retrieve_workflow("signup-s").get_result()

    response = client.get("/workflows/signup-s/")

    assert response.status_code == 200
    assert response.json() == {
        "workflow_id": "signup-s",
        "status": "SUCCESS",
        "result": result,
        "steps": ["send_welcome", "send_follow_up"],
    }


def test_status_of_a_sleeping_workflow(client: Client) -> None:
    post(
        client,
        "/signups/background/",
        {"email": "ada@example.com", "follow_up_after": 2},
        idempotency_key="signup-p",
    )
    deadline = time.monotonic() + 10
    while "DBOS.sleep" not in (body := client.get("/workflows/signup-p/").json())["steps"]:
        assert time.monotonic() < deadline, body
        time.sleep(0.05)

    assert body == {
        "workflow_id": "signup-p",
        "status": "PENDING",
        "result": None,
        "steps": ["send_welcome", "DBOS.sleep"],
    }
    assert emails("signup-p") == ["welcome"]


def test_queue_runs_at_most_two_workflows_at_once(client: Client) -> None:
    keys = [f"signup-q{i}" for i in range(6)]
    for key in keys:
        body = {"email": f"{key}@example.com", "follow_up_after": 1}
        assert post(client, "/signups/background/", body, idempotency_key=key).status_code == 202
    for key in keys:
        DBOS.retrieve_workflow(key).get_result()

    # Each workflow is running from its welcome email to its follow-up.
    spans = []
    for key in keys:
        sent = {e.kind: e.sent_at for e in Email.objects.filter(workflow_id=key)}
        spans.append((sent["welcome"], sent["follow-up"]))
    most_at_once = max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)
    assert most_at_once == 2


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b'{"email": "%s@example.com"}' % (b"a" * 288), 400),
        ("application/json", rb'{"email": "a\u0000@example.com"}', 400),
        ("application/json", rb'{"email": "a@\ud800.example.com"}', 400),
        ("application/json", b'{"email": "a@example.com", "follow_up_after": 10e30}', 400),
        ("text/plain", b'{"email": "a@example.com"}', 415),
    ],
)
@pytest.mark.parametrize("url", ["/signups/", "/signups/background/"])
def test_refused_signup_starts_no_workflow(
    client: Client, url: str, content_type: str, body: bytes, status: int
) -> None:
    response = client.post(url, body, content_type=content_type, headers={"idempotency-key": "k"})

    assert response.status_code == status
    assert response.json()["errors"]
    assert not Email.objects.exists()
    assert DBOS.list_workflows() == []


@pytest.mark.parametrize("key", ["signup/1", "k" * 5000])
def test_refused_idempotency_key_starts_no_workflow(client: Client, key: str) -> None:
    response = post(
        client, "/signups/background/", {"email": "ada@example.com"}, idempotency_key=key
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert DBOS.list_workflows() == []


def test_key_of_100_characters_reaches_its_status_url(client: Client) -> None:
    key = "k" * 100
    response = post(
        client, "/signups/background/", {"email": "ada@example.com"}, idempotency_key=key
    )
    DBOS.retrieve_workflow(key).get_result()

    assert response.status_code == 202
    status_url = response.json()["status_url"]
    assert status_url == f"/workflows/{key}/"
    assert client.get(status_url).json()["status"] == "SUCCESS"


def test_unknown_workflow_is_404(client: Client) -> None:
    response = client.get("/workflows/no-such-workflow/")

    assert response.status_code == 404
    assert response.json() == {"errors": {"workflow_id": ["No workflow no-such-workflow."]}}


@pytest.mark.parametrize("path", ["/workflows/a%00b/", "/workflows/signup/1/", "/nowhere/"])
def test_path_that_matches_no_route_is_a_json_404(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["path"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/signups/"),
        ("put", "/signups/"),
        ("get", "/signups/background/"),
        ("post", "/workflows/anything/"),
        ("delete", "/workflows/anything/"),
    ],
)
def test_wrong_method_is_405(client: Client, method: str, url: str) -> None:
    assert getattr(client, method)(url).status_code == 405
