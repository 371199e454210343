"""Loading leads or deals from a CSV or Excel file: upload, then either every record
created or a report of the rows to fix (nothing created until the whole file is right)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from relata.core.decorators import permission_required
from relata.core.errors import ValidationError
from relata.core.models import Membership
from relata.sales.services.file_import import (
    ALIASES,
    DEAL_ALIASES,
    MAX_ROWS,
    ImportReport,
    deals_import_upload,
    leads_import_upload,
)
from relata.web.forms import StyledForm


class ImportFileForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the service says why an empty file cannot be imported
        help_text=gettext_lazy("CSV (UTF-8 or Windows-1251; comma, semicolon or tab) or Excel (.xlsx, .xls)."),
    )


def _import_page(
    request: HttpRequest,
    run: Callable[[Membership, Any], ImportReport],
    *,
    done: Callable[[int], str],
    back: str,
    context: dict[str, Any],
) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    form = ImportFileForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        try:
            report = run(actor, form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            if report.ok:
                messages.success(request, done(report.created))
                return HttpResponseRedirect(reverse(back))
    failed = request.method == "POST" and bool(form.errors or (report is not None and not report.ok))
    page = {"form": form, "report": report, "max_rows": MAX_ROWS, "back": back, **context}
    return render(request, "sales/file_import.html", page, status=400 if failed else 200)


@permission_required("sales", "import")
@require_http_methods(["GET", "POST"])
def lead_import(request: HttpRequest) -> HttpResponse:
    return _import_page(
        request,
        leads_import_upload,
        done=lambda n: ngettext("%(count)d lead imported.", "%(count)d leads imported.", n) % {"count": n},
        back="sales:leads",
        context={
            "title": gettext_lazy("Import leads"),
            "columns": ALIASES,
            "hint": gettext_lazy("A phone or an e-mail is needed in every row."),
        },
    )


@permission_required("sales", "import")
@require_http_methods(["GET", "POST"])
def deal_import(request: HttpRequest) -> HttpResponse:
    return _import_page(
        request,
        deals_import_upload,
        done=lambda n: ngettext("%(count)d deal imported.", "%(count)d deals imported.", n) % {"count": n},
        back="sales:deals",
        context={
            "title": gettext_lazy("Import deals"),
            "columns": DEAL_ALIASES,
            "hint": gettext_lazy(
                "Every row needs a title. The client is found among yours by INN or by its exact name; the pipeline "
                "and the stage by name (empty: the first pipeline and its first stage). Deals are imported open."
            ),
        },
    )


urls = [
    path("leads/import/", lead_import, name="lead_import"),
    path("deals/import/", deal_import, name="deal_import"),
]
