"""Actions on lists: bulk changes, exports, saved views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relata.clients.models import ClientKind
from relata.clients.services.bulk import bulk_start
from relata.clients.services.export import export_now, export_start
from relata.clients.services.segments import saved_view_delete, saved_view_save
from relata.core.access import get_visible
from relata.core.decorators import permission_required
from relata.core.models import JobState
from relata.core.selectors.jobs import jobs_visible_to

LIST_URLS = {ClientKind.COMPANY: "clients:companies", ClientKind.PERSON: "clients:people"}


def _kind(kind: str) -> str:
    if kind not in ClientKind.values:
        raise Http404("kind")
    return kind


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@permission_required("clients", "view")
@require_POST
def bulk(request: HttpRequest, kind: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    query = request.POST.get("query", "")
    try:
        job = bulk_start(
            actor,
            kind=kind,
            action=request.POST.get("action", ""),
            ids=_ints(request.POST.getlist("ids")),
            select_all=request.POST.get("all") == "1",
            query=query,
            owner_id=int(request.POST["owner"]) if request.POST.get("owner", "").isdigit() else None,
            tag=request.POST.get("tag", ""),
            status_id=int(request.POST["status"]) if request.POST.get("status", "").isdigit() else None,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(f"{reverse(LIST_URLS[kind])}?{query}")
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


@permission_required("clients", "export")
@require_GET
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The list as shown (filters, sort, columns): a file now, or a job for large lists."""
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    params = request.GET.copy()
    fmt = params.pop("format", ["csv"])[-1]
    query = params.urlencode()
    try:
        response = export_now(actor, kind=kind, query=query, fmt=fmt)
        if response is not None:
            return response
        job = export_start(actor, kind=kind, query=query, fmt=fmt)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(f"{reverse(LIST_URLS[kind])}?{query}")
    messages.info(request, _("The list is large: the file is being prepared; download it here when it is ready."))
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


@permission_required("clients", "export")
@require_GET
def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The file an export job made, for the member who may see the job."""
    actor = request.actor  # type: ignore[attr-defined]
    job = get_visible(actor, jobs_visible_to(actor).filter(kind="clients.export"), job_id)
    name = (job.result or {}).get("file")
    if job.state != JobState.SUCCEEDED or not name or not default_storage.exists(name):
        raise Http404("export")
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])


@permission_required("clients", "view")
@require_POST
def view_save(request: HttpRequest, kind: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    query = request.POST.get("query", "")
    try:
        saved = saved_view_save(
            actor,
            entity=kind,
            name=request.POST.get("name", ""),
            query=query,
            columns=[],
            is_shared=bool(request.POST.get("is_shared")),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(f"{reverse(LIST_URLS[kind])}?{query}")
    messages.success(request, _("The view “%(name)s” has been saved.") % {"name": saved.name})
    return HttpResponseRedirect(f"{reverse(LIST_URLS[kind])}?{saved.query}")


@permission_required("clients", "view")
@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        kind = saved_view_delete(actor, pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("clients:companies"))
    messages.success(request, _("The view has been deleted."))
    return HttpResponseRedirect(reverse(LIST_URLS[ClientKind(kind)]))


urls = [
    path("<str:kind>/bulk/", bulk, name="bulk"),
    path("<str:kind>/export/", export, name="export"),
    path("exports/<int:job_id>/download/", export_download, name="export_download"),
    path("<str:kind>/views/save/", view_save, name="view_save"),
    path("views/<int:pk>/delete/", view_delete, name="view_delete"),
]
