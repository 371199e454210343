"""Web forms: the public endpoint a site's form posts to (no log-in, no CSRF token: the
form's key names it), and their administration (`admin.change`, sales on) with the
HTML snippet to paste into a site.

The endpoint answers JSON: 201 when the lead is created (or a redirect to the form's
thank-you page for a plain HTML post), 400 naming the fields, 404 for an unknown or
inactive key, 403 for a site not allowed, 429 with Retry-After when one address posts
too often, and a neutral 400 when the honeypot is filled.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.api.errors import error_body
from relata.core.auth.throttling import client_ip
from relata.core.concurrency import StaleVersion
from relata.sales.forms_leads import WebFormForm
from relata.sales.models import HONEYPOT_FIELD, WebForm
from relata.sales.models.leads import UTM_FIELDS, WEBFORM_FIELDS
from relata.sales.selectors.leads import webform_by_key, webform_get, webforms_visible_to
from relata.sales.services.webforms import (
    SubmissionRefused,
    webform_create,
    webform_delete,
    webform_regenerate_key,
    webform_submit,
    webform_update,
)
from relata.sales.views.settings import SalesAdminNavItem, sales_admin
from relata.web.editing import render_form, run_action, save_form
from relata.web.navigation import register_admin_nav

MAX_BODY = 64 * 1024  # a lead is a few fields: a bigger post is not a form

register_admin_nav(
    SalesAdminNavItem(
        "webform", gettext_lazy("Web forms"), "sales:webforms", "admin", action="change", icon="ui-checks", order=127
    )
)


# --- The public endpoint ------------------------------------------------------------------


def _cors(response: HttpResponse, form: WebForm | None, origin: str) -> HttpResponse:
    """Let the form's allowed sites (any site when none is set) read the answer."""
    if form is not None and origin:
        allowed = form.allowed_origins
        if not allowed or origin.rstrip("/").lower() in allowed:
            response["Access-Control-Allow-Origin"] = origin if allowed else "*"
            response["Vary"] = "Origin"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _posted(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data
    return {name: request.POST.get(name, "") for name in request.POST}


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(m) for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {"__all__": list(error.messages)}


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def webform_submit_view(request: HttpRequest, key: str = "") -> HttpResponse:
    origin = request.headers.get("Origin", "")
    form = webform_by_key(key)
    if request.method == "OPTIONS":  # a browser's preflight of a fetch() with JSON
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        return _cors(response, form if form is not None and form.is_active else None, origin)
    if len(request.body) > MAX_BODY:
        return JsonResponse(error_body("too_large", _("The submission is too large.")), status=413)
    try:
        data = _posted(request)
    except ValueError:
        return JsonResponse(
            error_body("bad_request", _("Send the form's fields as a form or a JSON object.")), status=400
        )
    try:
        lead = webform_submit(
            key, data, ip=client_ip(request), origin=origin, referer=request.headers.get("Referer", "")
        )
    except SubmissionRefused as refused:
        response = JsonResponse(error_body(refused.code, refused.message), status=refused.status)
        if refused.retry_after is not None:
            response["Retry-After"] = str(refused.retry_after)
        return _cors(response, form, origin)
    except ValidationError as error:
        body = error_body("invalid", _("Check the fields of the form."), _field_errors(error))
        return _cors(JsonResponse(body, status=400), form, origin)
    redirect_url = lead.web_form.redirect_url if lead.web_form is not None else ""
    if redirect_url and not _wants_json(request):
        return HttpResponseRedirect(redirect_url, status=303)
    body = {"ok": True, "message": _("Thank you! We will contact you soon.")}
    return _cors(JsonResponse(body, status=201), form, origin)


# --- Administration -----------------------------------------------------------------------


def embed_code(request: HttpRequest, form: WebForm) -> str:
    """The HTML to paste into a site: the form's fields, the hidden honeypot, and the
    page's UTM tags copied into hidden fields."""
    return render_to_string(
        "sales/leads/_embed.html",
        {
            "action": request.build_absolute_uri(reverse("sales:webform_submit", args=[form.key])),
            "fields": [(name, WEBFORM_FIELDS[name]) for name in form.fields if name in WEBFORM_FIELDS],
            "honeypot": HONEYPOT_FIELD,
            "utm_fields": UTM_FIELDS,
            "utm_json": json.dumps(UTM_FIELDS),
            "form_id": f"relata-form-{form.pk}",
        },
    ).strip()


@sales_admin
@require_GET
def webform_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "sales/leads/webforms.html", {"forms": webforms_visible_to(actor)})


def _initial(form: WebForm) -> dict[str, Any]:
    return {
        "name": form.name,
        "fields_shown": form.fields,
        "default_source": form.default_source,
        "default_channel": form.default_channel,
        "default_campaign": form.default_campaign,
        "default_owner": form.default_owner_id,
        "is_active": form.is_active,
        "allowed_origins": "\n".join(form.allowed_origins),
        "rate_limit": form.rate_limit,
        "redirect_url": form.redirect_url,
        "version": form.version,
    }


@sales_admin
@require_http_methods(["GET", "POST"])
def webform_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial = {"fields_shown": ["contact_name", "phone", "email", "message"], "default_owner": actor.user_id}
    form = WebFormForm(request.POST or None, actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda _data: webform_create(actor, values=form.values()),
        success_url=lambda saved: reverse("sales:webform_edit", args=[saved.pk]),
        success_message=_("The web form is saved: paste its code into your site."),
    )
    return render_form(request, "sales/leads/webform_form.html", form, outcome, {"creating": True})


@sales_admin
@require_http_methods(["GET", "POST"])
def webform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    webform = webform_get(actor, pk)
    form = WebFormForm(request.POST or None, actor=actor, initial=_initial(webform))
    outcome = save_form(
        request,
        form,
        lambda data: webform_update(actor, webform.pk, version=data.get("version") or 0, values=form.values()),
        success_url=lambda saved: reverse("sales:webform_edit", args=[saved.pk]),
        success_message=_("The web form is saved."),
    )
    context = {
        "webform": webform,
        "embed": embed_code(request, webform),
        "endpoint": request.build_absolute_uri(reverse("sales:webform_submit", args=[webform.key])),
    }
    return render_form(request, "sales/leads/webform_form.html", form, outcome, context)


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else 0


@sales_admin
@require_POST
def webform_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    webform = webform_get(actor, pk)
    try:
        run_action(
            request,
            lambda: webform_regenerate_key(actor, webform.pk, version=_version(request)),
            success_message=_("The form has a new key: the old code stops working, paste the new one."),
        )
    except StaleVersion as stale:
        messages.error(request, str(stale))
    return HttpResponseRedirect(reverse("sales:webform_edit", args=[webform.pk]))


@sales_admin
@require_POST
def webform_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    webform = webform_get(actor, pk)
    if run_action(request, lambda: webform_delete(actor, webform.pk), success_message=_("The web form is deleted.")):
        return HttpResponseRedirect(reverse("sales:webforms"))
    return HttpResponseRedirect(reverse("sales:webform_edit", args=[webform.pk]))


urls = [
    path("f/<str:key>/", webform_submit_view, name="webform_submit"),
    # A post without a key gets the same JSON "not found" as one with a wrong key.
    path("f/", webform_submit_view, name="webform_submit_without_key"),
    path("settings/web-forms/", webform_list, name="webforms"),
    path("settings/web-forms/new/", webform_new, name="webform_new"),
    path("settings/web-forms/<int:pk>/", webform_edit, name="webform_edit"),
    path("settings/web-forms/<int:pk>/regenerate/", webform_regenerate, name="webform_regenerate"),
    path("settings/web-forms/<int:pk>/delete/", webform_delete_view, name="webform_delete"),
]
