"""JSON endpoints that run, start and report on onboarding workflows."""

from dbos import DBOS, SetWorkflowID
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from onboarding.forms import InvalidRequest, SignupForm, idempotency_key
from onboarding.workflows import ONBOARDING_QUEUE, onboard


@csrf_exempt  # a JSON API for other programs: no browser session, no CSRF cookie
@require_POST
def signup(request: HttpRequest) -> JsonResponse:
    """Run the onboarding workflow inside the request and return its result."""
    try:
        data = SignupForm.parse(request)
    except InvalidRequest as refused:
        return refused.response
    return JsonResponse(onboard(data["email"], data["follow_up_after"]))


# [/docs:signup-view]


# [docs:background-views]
@csrf_exempt
@require_POST
def start_signup(request: HttpRequest) -> JsonResponse:
    """Enqueue the onboarding workflow under the client's ``Idempotency-Key``.

    The key becomes the workflow id, so a retried request finds the workflow
    the first one started and the emails go out once. Answers 202 with the
    workflow's id and the URL of its status: a status read here would race the
    queue, which may have started the workflow already.
    """
    try:
        key = idempotency_key(request)
        data = SignupForm.parse(request)
    except InvalidRequest as refused:
        return refused.response
    with SetWorkflowID(key):
        handle = DBOS.enqueue_workflow(
            ONBOARDING_QUEUE, onboard, data["email"], data["follow_up_after"]
        )
    return JsonResponse(
        {
            "workflow_id": handle.workflow_id,
            "status_url": reverse("workflow-status", args=[handle.workflow_id]),
        },
        status=202,
    )


@require_GET
def workflow_status(request: HttpRequest, workflow_id: str) -> JsonResponse:
    """A workflow's status, its result once it has one, and the steps it has completed."""
    status = DBOS.get_workflow_status(workflow_id)
    if status is None:
        return JsonResponse(
            {"errors": {"workflow_id": [f"No workflow {workflow_id}."]}}, status=404
        )
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


# [docs:not-found]
def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """The 404 answer of a URL that matches no route, in JSON like every other answer."""
    return JsonResponse({"errors": {"path": [f"Nothing at {request.path}."]}}, status=404)
