"""Loading leads from a CSV or Excel file: upload, then either every lead created or a
report of the rows to fix (nothing created until the whole file is right)."""

from __future__ import annotations

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
from relata.sales.services.lead_import import ALIASES, MAX_ROWS, LeadImportReport, leads_import_upload
from relata.web.forms import StyledForm


class LeadFileForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the service says why an empty file cannot be imported
        help_text=gettext_lazy("CSV (UTF-8 or Windows-1251; comma, semicolon or tab) or Excel (.xlsx, .xls)."),
    )


@permission_required("sales", "import")
@require_http_methods(["GET", "POST"])
def lead_import(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    form = LeadFileForm(request.POST or None, request.FILES or None)
    report: LeadImportReport | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = leads_import_upload(actor, form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            if report.ok:
                text = ngettext("%(count)d lead imported.", "%(count)d leads imported.", report.created)
                messages.success(request, text % {"count": report.created})
                return HttpResponseRedirect(reverse("sales:leads"))
    if request.method == "POST" and (form.errors or (report is not None and not report.ok)):
        status = 400
    context = {"form": form, "report": report, "columns": ALIASES, "max_rows": MAX_ROWS}
    return render(request, "sales/leads/lead_import.html", context, status=status)


urls = [path("leads/import/", lead_import, name="lead_import")]
