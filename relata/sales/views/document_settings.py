"""Document templates and the seller's details (administrators, `admin.change`, with the
sales module on): the kinds of documents with the template each uses, a template's
editor with a PDF preview on sample data, and the seller's requisites.

The pages sit in the administration layout; their menu entries are registered when this
module is imported (by relata/sales/urls.py) and show only while sales is switched on.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.core.errors import ValidationError
from relata.core.models import Membership
from relata.sales.models import DocumentKind, SellerDetails
from relata.sales.selectors.documents import own_templates
from relata.sales.services.document_render import (
    PdfUnavailable,
    builtin_template,
    check_template,
    html_to_pdf,
    render_html,
    sample_context,
    seller_details,
)
from relata.sales.services.document_settings import (
    SELLER_FIELDS,
    document_template_reset,
    document_template_save,
    seller_details_save,
)
from relata.sales.views.settings import SalesAdminNavItem, sales_admin
from relata.web.editing import FormOutcome, render_form, run_action, save_form
from relata.web.forms import StyledForm
from relata.web.navigation import register_admin_nav

# Keys whose stem matches the URL names (document_templates, document_template,
# document_template_preview…; seller_details), so that the menu marks the section current.
register_admin_nav(
    SalesAdminNavItem(
        "document_template",
        gettext_lazy("Document templates"),
        "sales:document_templates",
        "admin",
        action="change",
        icon="file-earmark-text",
        order=128,
    )
)
register_admin_nav(
    SalesAdminNavItem(
        "seller_details",
        gettext_lazy("Seller details"),
        "sales:seller_details",
        "admin",
        action="change",
        icon="bank",
        order=129,
    )
)


class DocumentTemplateForm(StyledForm):
    # Not required here: the service says what an empty template lacks, as the API does.
    body = forms.CharField(
        label=gettext_lazy("Template"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "font-monospace small"}),
    )


class SellerDetailsForm(StyledForm):
    """The fields as the model names them; the service checks them (INN, KPP, OGRN, BIK
    and the accounts against it) and gives every refusal at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SELLER_FIELDS:
            # No max_length: the service gives the limits, as it does for the API.
            label = getattr(SellerDetails._meta.get_field(name), "verbose_name", name)
            self.fields[name] = forms.CharField(label=capfirst(label), required=False)
        self.fields["legal_name"].help_text = _("As registered, with the legal form.")
        self.fields["phone"].help_text = _("Printed as written here.")
        self.style_fields()


def _kind(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise Http404(kind)
    return kind


def _current_source(actor: Membership, kind: str) -> str:
    own = own_templates(actor).get(kind)
    return own.body if own is not None else builtin_template(kind)


# --- Templates ------------------------------------------------------------------------


@sales_admin
@require_GET
def document_template_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    own = own_templates(actor)
    rows = [{"kind": kind, "label": label, "template": own.get(kind)} for kind, label in DocumentKind.choices]
    return render(request, "sales/settings/document_templates.html", {"rows": rows})


def _template_page(
    request: HttpRequest, kind: str, form: DocumentTemplateForm, outcome: FormOutcome, status: int | None = None
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    context = {"kind": kind, "label": DocumentKind(kind).label, "template": own_templates(actor).get(kind)}
    response = render_form(request, "sales/settings/document_template_form.html", form, outcome, context)
    if status is not None:
        response.status_code = status
    return response


@sales_admin
@require_http_methods(["GET", "POST"])
def document_template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    form = DocumentTemplateForm(request.POST or None, initial={"body": _current_source(actor, kind)})
    outcome = save_form(
        request,
        form,
        lambda data: document_template_save(actor, kind, data["body"]),
        success_url=reverse("sales:document_template", kwargs={"kind": kind}),
        success_message=_("The template has been saved; new documents of this kind use it."),
    )
    return _template_page(request, kind, form, outcome)


@sales_admin
@require_POST
def document_template_reset_view(request: HttpRequest, kind: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    run_action(
        request,
        lambda: document_template_reset(actor, kind),
        success_message=_("The built-in template is used again."),
    )
    return HttpResponseRedirect(reverse("sales:document_template", kwargs={"kind": kind}))


@sales_admin
@require_http_methods(["GET", "POST"])
def document_template_preview(request: HttpRequest, kind: str) -> HttpResponse:
    """The posted template (or, on GET, the one in use) as a PDF of a sample document,
    shown in the browser. A template that does not work comes back on its form with the
    error, as saving it would."""
    actor = request.actor  # type: ignore[attr-defined]
    kind = _kind(kind)
    if request.method == "POST":
        source = request.POST.get("body", "").replace("\r\n", "\n")
    else:
        source = _current_source(actor, kind)
    form = DocumentTemplateForm({"body": source})
    try:
        check_template(source, "body")
        pdf = html_to_pdf(render_html(source, sample_context()))
    except ValidationError as error:
        form.is_valid()
        form.add_service_error(error)
        return _template_page(request, kind, form, FormOutcome())
    except PdfUnavailable as error:
        form.is_valid()
        form.add_error(None, str(error))
        return _template_page(request, kind, form, FormOutcome(), status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-preview.pdf"'
    return response


# --- Seller details -------------------------------------------------------------------


@sales_admin
@require_http_methods(["GET", "POST"])
def seller_details_edit(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    details = seller_details(actor.workspace)
    initial = {name: getattr(details, name) for name in SELLER_FIELDS}
    form = SellerDetailsForm(request.POST or None, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: seller_details_save(actor, {name: data.get(name, "") for name in SELLER_FIELDS}),
        success_url=reverse("sales:seller_details"),
        success_message=_("The seller details have been saved; new documents print them."),
    )
    return render_form(
        request, "sales/settings/seller_details_form.html", form, outcome, {"saved": details.pk is not None}
    )


urls = [
    path("settings/documents/templates/", document_template_list, name="document_templates"),
    path("settings/documents/templates/<str:kind>/", document_template_edit, name="document_template"),
    path(
        "settings/documents/templates/<str:kind>/reset/",
        document_template_reset_view,
        name="document_template_reset",
    ),
    path(
        "settings/documents/templates/<str:kind>/preview/",
        document_template_preview,
        name="document_template_preview",
    ),
    path("settings/documents/seller/", seller_details_edit, name="seller_details"),
]
