"""JSON endpoints that run, start and report on onboarding workflows."""

import json
import math

from dbos import DBOS, SetWorkflowID
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from onboarding.workflows import ONBOARDING_QUEUE, onboard


class BadRequest(ValueError):
    """The request body cannot be used; the message says why."""


def parse_signup(request: HttpRequest) -> tuple[str, float]:
    """The ``email`` and ``follow_up_after`` (seconds, default 0) of a JSON request body."""
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise BadRequest("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    email = data.get("email")
    try:
        validate_email(email if isinstance(email, str) else "")
    except ValidationError as exc:
        raise BadRequest("email must be an email address") from exc
    follow_up_after = data.get("follow_up_after", 0)
    if (
        isinstance(follow_up_after, bool)
        or not isinstance(follow_up_after, int | float)
        or not 0 <= follow_up_after <= 86400
        or math.isnan(follow_up_after)
    ):
        raise BadRequest("follow_up_after must be a number of seconds from 0 to 86400")
    return email, float(follow_up_after)


# [docs:signup-view]
@csrf_exempt  # a JSON API for other programs: no browser session, no CSRF cookie
@require_POST
def signup(request: HttpRequest) -> JsonResponse:
    """Run the onboarding workflow inside the request and return its result."""
    try:
        email, follow_up_after = parse_signup(request)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(onboard(email, follow_up_after))


# [/docs:signup-view]


# [docs:background-views]
@csrf_exempt
@require_POST
def start_signup(request: HttpRequest) -> JsonResponse:
    """Enqueue the onboarding workflow under the client's ``Idempotency-Key``.

    The key becomes the workflow id, so a retried request finds the workflow
    the first one started and the emails go out once. Answers 202 with the
    workflow's id and status.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return JsonResponse({"error": "the Idempotency-Key header is required"}, status=400)
    try:
        email, follow_up_after = parse_signup(request)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    with SetWorkflowID(key):
        handle = DBOS.enqueue_workflow(ONBOARDING_QUEUE, onboard, email, follow_up_after)
    return JsonResponse(
        {"workflow_id": handle.workflow_id, "status": handle.get_status().status}, status=202
    )


@require_GET
def workflow_status(request: HttpRequest, workflow_id: str) -> JsonResponse:
    """A workflow's status, its result once it has one, and the steps it has completed."""
    status = DBOS.get_workflow_status(workflow_id)
    if status is None:
        return JsonResponse({"error": f"no workflow {workflow_id!r}"}, status=404)
    steps = DBOS.list_workflow_steps(workflow_id)
    return JsonResponse(
        {
            "workflow_id": workflow_id,
            "status": status.status,
            "result": status.output,
            "steps": [step["function_name"] for step in steps],
        }
    )


# [/docs:background-views]
