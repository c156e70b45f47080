"""HTTP views that defer background jobs instead of doing the work in the request."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from .exports import export_document
from .forms import DocumentForm, InvalidRequest
from .models import Document
from .tasks import count_words, summarise


# A JSON API for scripts, without session cookies, so there is no CSRF token to check.
@csrf_exempt
@require_POST
def create_document(request: HttpRequest) -> JsonResponse:
    """Save a document and defer its processing; 202 with the job id, 4xx on bad input."""
    try:
        data = DocumentForm.parse(request)
    except InvalidRequest as refused:
        return refused.response
    # The jobs are rows written on Django's own connection: inside atomic() they
    # commit with the document, or vanish with it if anything below raises.
    with transaction.atomic():
        document = Document.objects.create(text=data["text"])
        job_id = count_words.defer(document_id=document.pk)
        summarise.defer(document_id=document.pk)
    return JsonResponse({"id": document.pk, "job": job_id}, status=202)


# [/docs:sync-view]


# [docs:async-view]
@csrf_exempt
@require_POST
async def create_document_async(request: HttpRequest) -> JsonResponse:
    """The async twin of :func:`create_document` (no atomic block: each query commits)."""
    try:
        data = DocumentForm.parse(request)
    except InvalidRequest as refused:
        return refused.response
    document = await Document.objects.acreate(text=data["text"])
    job_id = await count_words.defer_async(document_id=document.pk)
    await summarise.defer_async(document_id=document.pk)
    return JsonResponse({"id": document.pk, "job": job_id}, status=202)


# [/docs:async-view]


# [docs:export-view]
@csrf_exempt
@require_POST
def export(request: HttpRequest, pk: int) -> JsonResponse:
    """Queue one export per document: 202, or 409 while one is already waiting."""
    document = get_object_or_404(Document, pk=pk)
    task = export_document.configure(queueing_lock=f"export-document-{document.pk}")
    try:
        job_id = task.defer(document_id=document.pk)
    except AlreadyEnqueued:
        return JsonResponse({"error": "an export of this document is already queued"}, status=409)
    return JsonResponse({"id": document.pk, "job": job_id}, status=202)


# [/docs:export-view]


# [docs:detail-view]
@require_GET
def document_detail(request: HttpRequest, pk: int) -> JsonResponse:
    """The document's computed fields and the status of every job deferred for it."""
    document = get_object_or_404(Document, pk=pk)
    jobs = ProcrastinateJob.objects.filter(args__document_id=document.pk).order_by("id")
    return JsonResponse(
        {
            "id": document.pk,
            "word_count": document.word_count,
            "summary": document.summary,
            "exported": document.exported_at is not None,
            "jobs": [{"task": job.task_name, "status": job.status} for job in jobs],
        }
    )


# [/docs:detail-view]


# [docs:not-found]
def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """The 404 answer of a missing document or a URL that matches no route, in JSON."""
    return JsonResponse({"errors": {"path": [f"Nothing at {request.path}."]}}, status=404)


# [/docs:not-found]
