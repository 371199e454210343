"""Pages of the client import wizard: upload → columns → preview → run with a progress
bar → report (refused rows downloadable) → undo; and the list of past imports."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.importing.mapping import GROUPS, import_targets
from relata.clients.importing.pipeline import PREVIEW_ROWS, reason_text
from relata.clients.models import ClientKind, ImportBatch, ImportState
from relata.clients.models.imports import DuplicatePolicy, RowAction
from relata.clients.selectors.clients import statuses_of
from relata.clients.services.imports import (
    column_samples,
    import_can_undo,
    import_configure,
    import_get,
    import_interrupted,
    import_max_bytes,
    import_preview,
    import_report_rows,
    import_results,
    import_start,
    import_undo,
    import_upload,
    imports_visible_to,
    target_labels,
)
from relata.core.decorators import permission_required
from relata.core.export import FORMATS, export_response
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to
from relata.web.forms import StyledForm

REPORT_ROWS = 100  # refused rows listed on the report page (all of them are in the file)


class UploadForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Import"), choices=[], widget=forms.RadioSelect, initial=ClientKind.COMPANY
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the service says why an empty file cannot be imported
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1251; comma, semicolon or tab), Excel (.xlsx, .xls) or vCard (.vcf)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (ClientKind.COMPANY, _("Companies")),
            (ClientKind.PERSON, _("People")),
        ]


class SettingsForm(StyledForm):
    """The column choices (col_0, col_1, …), the duplicate policy and the defaults."""

    policy = forms.ChoiceField(
        label=gettext_lazy("When a row matches a client already in the base or an earlier row of the file"),
        choices=DuplicatePolicy.choices,
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(label=gettext_lazy("Status of new clients"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Owner of new clients"), required=False)
    tags = forms.CharField(
        label=gettext_lazy("Tags for every imported client"),
        required=False,
        help_text=gettext_lazy("Separated by commas, e.g. “exhibition 2025”."),
    )
    source = forms.CharField(label=gettext_lazy("Source of new clients"), required=False, max_length=100)
    match_names = forms.BooleanField(
        label=gettext_lazy("Companies with the same name are duplicates (unless their INNs differ)"),
        required=False,
    )

    def __init__(self, *args: Any, batch: ImportBatch, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        targets = import_targets(batch.workspace_id, batch.entity)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for target in targets.values():
            grouped.setdefault(str(GROUPS[target.group]), []).append((target.key, str(target.label)))
        choices: list[Any] = [("", _("— do not import —")), *grouped.items()]
        for index, header in enumerate(batch.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(label=header, choices=choices, required=False)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("The default status"))] + [
            (str(s.pk), s.display_name) for s in statuses_of(actor, active_only=True)
        ]
        members = members_visible_to(actor).filter(is_active=True).order_by("user__full_name")
        owners = [(str(m.user_id), m.user.full_name) for m in members]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("Me")), *owners]
        if batch.entity != ClientKind.COMPANY:
            del self.fields["match_names"]

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{index}"] for index in range(len(self.batch.headers))]

    def mapping(self) -> dict[str, str]:
        return {str(i): self.cleaned_data.get(f"col_{i}") or "" for i in range(len(self.batch.headers))}

    def defaults(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "owner": data.get("owner") or None,
            "tags": data.get("tags") or "",
            "source": data.get("source") or "",
            "match_names": bool(data.get("match_names")),
        }


def _initial(batch: ImportBatch) -> dict[str, Any]:
    defaults = batch.defaults or {}
    initial: dict[str, Any] = {f"col_{index}": key for index, key in (batch.mapping or {}).items()}
    initial.update(
        policy=batch.policy,
        status=str(defaults.get("status") or ""),
        owner=str(defaults.get("owner") or ""),
        tags=", ".join(defaults.get("tags") or []),
        source=defaults.get("source") or "",
        match_names=defaults.get("match_names", True),
    )
    return initial


# --- Pages ---------------------------------------------------------------------------


@permission_required("clients", "import")
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    imports = list(imports_visible_to(actor)[:100])
    return render(request, "clients/import_list.html", {"imports": imports})


@permission_required("clients", "import")
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose companies or people and upload the file."""
    actor = request.actor  # type: ignore[attr-defined]
    kind = request.GET.get("kind") if request.GET.get("kind") in ClientKind.values else ClientKind.COMPANY
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_upload(actor, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return HttpResponseRedirect(reverse("clients:import_mapping", args=[batch.pk]))
    context = {"form": form, "max_mb": import_max_bytes() // (1024 * 1024)}
    return render(request, "clients/import_start.html", context, status=400 if form.errors else 200)


@permission_required("clients", "import")
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: which column goes where (suggested from the headers), the duplicate
    policy and the values for every imported client."""
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_get(actor, pk)
    if batch.state != ImportState.UPLOADED:
        return HttpResponseRedirect(reverse("clients:import_report", args=[batch.pk]))
    form = SettingsForm(request.POST or None, batch=batch, actor=actor, initial=_initial(batch))
    if request.method == "POST" and form.is_valid():
        try:
            import_configure(
                actor, batch.pk, mapping=form.mapping(), policy=form.cleaned_data["policy"], defaults=form.defaults()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return HttpResponseRedirect(reverse("clients:import_preview", args=[batch.pk]))
    samples = column_samples(actor, batch.pk)
    columns = [
        (field, [row[index] for row in samples if index < len(row) and row[index]])
        for index, field in enumerate(form.column_fields())
    ]
    context = {"batch": batch, "form": form, "columns": columns}
    return render(request, "clients/import_mapping.html", context, status=400 if form.errors else 200)


@permission_required("clients", "import")
@require_GET
def import_preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: the first rows as the import will treat them, before anything is written."""
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_get(actor, pk)
    if batch.state != ImportState.UPLOADED:
        return HttpResponseRedirect(reverse("clients:import_report", args=[batch.pk]))
    try:
        preview = import_preview(actor, batch.pk, limit=PREVIEW_ROWS)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("clients:import_mapping", args=[batch.pk]))
    mapped = [(int(index), key) for index, key in sorted(batch.mapping.items(), key=lambda item: int(item[0]))]
    labels = target_labels(batch)
    columns = [(index, batch.headers[index], labels.get(key, key)) for index, key in mapped]
    context = {"batch": batch, "preview": preview, "columns": columns}
    return render(request, "clients/import_preview.html", context)


@permission_required("clients", "import")
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: start the job (or resume an interrupted import)."""
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_get(actor, pk)
    try:
        import_start(actor, batch.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return HttpResponseRedirect(reverse("clients:import_report", args=[batch.pk]))


@permission_required("clients", "import")
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 5: progress while it runs (HTMX polls this page's progress block), then the
    counts, the refused rows and the undo button."""
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_get(actor, pk)
    labels = target_labels(batch)
    refused = import_results(actor, batch.pk).filter(action__in=[RowAction.FAILED, RowAction.SKIPPED])
    problems = [
        {"row": result.row_number, "action": result.action, "reason": reason_text(result.errors, labels)}
        for result in refused[:REPORT_ROWS]
    ]
    kept = []
    if batch.state in (ImportState.UNDOING, ImportState.UNDONE):
        for result in import_results(actor, batch.pk).filter(action__in=[RowAction.CREATED, RowAction.UPDATED]):
            if any(error.get("undo") for error in result.errors or []):
                kept.append({"row": result.row_number, "reason": reason_text(result.errors, labels)})
                if len(kept) >= REPORT_ROWS:
                    break
    job = batch.undo_job if batch.state in (ImportState.UNDOING, ImportState.UNDONE) else batch.job
    context = {
        "batch": batch,
        "job": job,
        "problems": problems,
        "kept": kept,
        "interrupted": import_interrupted(batch),
        "can_undo": import_can_undo(batch),
        "busy": batch.state in (ImportState.RUNNING, ImportState.UNDOING) and not import_interrupted(batch),
        "percent": _percent(batch),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "clients/_import_progress.html", context)
    return render(request, "clients/import_report.html", context)


def _percent(batch: ImportBatch) -> int:
    if batch.state in (ImportState.DONE, ImportState.UNDONE):
        return 100
    if batch.state == ImportState.UNDOING and batch.undo_job is not None and batch.undo_job.progress_total:
        return min(100, batch.undo_job.progress_done * 100 // batch.undo_job.progress_total)
    return min(100, batch.rows_done * 100 // batch.total_rows) if batch.total_rows else 0


@permission_required("clients", "import")
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The refused (or, with ?rows=skipped, skipped) rows with their reasons, as CSV or Excel."""
    actor = request.actor  # type: ignore[attr-defined]
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404("format")
    which = RowAction.SKIPPED if request.GET.get("rows") == "skipped" else RowAction.FAILED
    headers, rows = import_report_rows(actor, pk, actions=(which,))
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response: HttpResponse = export_response(
        headers=headers, rows=rows, filename=f"import-{pk}-{which}-{stamp}", fmt=fmt
    )
    return response


@permission_required("clients", "import")
@require_POST
def import_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_get(actor, pk)
    try:
        import_undo(actor, batch.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(request, _("The import is being undone."))
    return HttpResponseRedirect(reverse("clients:import_report", args=[batch.pk]))


urls = [
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_new, name="import_start"),
    path("imports/<int:pk>/", import_report, name="import_report"),
    path("imports/<int:pk>/columns/", import_mapping, name="import_mapping"),
    path("imports/<int:pk>/preview/", import_preview_page, name="import_preview"),
    path("imports/<int:pk>/run/", import_run, name="import_run"),
    path("imports/<int:pk>/errors/", import_errors, name="import_errors"),
    path("imports/<int:pk>/undo/", import_undo_view, name="import_undo"),
]
