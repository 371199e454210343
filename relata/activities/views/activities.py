"""Activity pages: log a contact with a client, change or delete it, and download its
attachments (always as downloads, never shown inline)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.activities.forms import ActivityForm, local_input
from relata.activities.models import Activity, ActivityKind
from relata.activities.selectors.activities import activity_get, attachment_get
from relata.activities.services.activities import activity_delete, activity_log, activity_update, attachment_delete
from relata.clients.models import Client
from relata.clients.selectors.clients import client_get
from relata.core.access import require
from relata.core.audit import record_event
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import render_form, save_form


def _form_page(request: HttpRequest, actor: Membership, client: Client, activity: Activity | None) -> HttpResponse:
    initial: dict[str, Any] = {"kind": request.GET.get("kind") or ActivityKind.CALL}
    if activity is not None:
        initial = {
            "kind": activity.kind,
            "direction": activity.direction,
            "occurred_at": local_input(activity.occurred_at),
            "subject": activity.subject,
            "body": activity.body,
            "outcome": activity.outcome_id,
            "outcome_note": activity.outcome_note,
            "duration_minutes": activity.duration // 60 if activity.duration is not None else None,
            "recording_url": activity.recording_url,
            "email_thread": activity.email_thread,
            "amount": activity.amount,
            "currency": activity.currency,
            "participants": [u.pk for u in activity.participants.all()],
            "contacts": [link.person_id for link in activity.contact_links.all()],
            "version": activity.version,
        }
    form = ActivityForm(request.POST or None, request.FILES or None, actor=actor, client=client, initial=initial)

    def save(data: dict[str, Any]) -> Activity:
        if activity is None:
            return activity_log(
                actor,
                client_id=client.pk,
                values=form.values(),
                participant_ids=data.get("participants") or [],
                contact_ids=data.get("contacts") or [],
                files=data.get("files") or [],
            )
        return activity_update(
            actor,
            activity.pk,
            version=data.get("version") or 0,
            values=form.values(),
            participant_ids=data.get("participants") or [],
            contact_ids=data.get("contacts") if "contacts" in form.fields else None,
            files=data.get("files") or [],
        )

    outcome = save_form(
        request,
        form,
        save,
        success_url=reverse("clients:detail", args=[client.pk]),
        success_message=_("The activity has been logged.") if activity is None else _("The changes have been saved."),
    )
    context = {"client": client, "activity": activity}
    return render_form(request, "activities/activity_form.html", form, outcome, context)


@permission_required("activities", "create")
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """Log a contact with the client (`?kind=` preselects what it was)."""
    actor = request.actor  # type: ignore[attr-defined]
    client = client_get(actor, client_id)
    return _form_page(request, actor, client, None)


@permission_required("activities", "change")
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    activity = activity_get(actor, pk)
    require(actor, "activities", "change")
    return _form_page(request, actor, activity.client, activity)


@permission_required("activities", "view")
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "activities/activity.html", {"activity": activity_get(actor, pk)})


@permission_required("activities", "delete")
@require_POST
def activity_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    activity = activity_get(actor, pk)
    activity_delete(actor, activity.pk)
    messages.success(request, _("The activity has been deleted."))
    return HttpResponseRedirect(reverse("clients:detail", args=[activity.client_id]))


def download(attachment: Any) -> FileResponse:
    """A stored file as a download: a neutral type for anything a browser could run or
    render (pages, pictures with scripts), no sniffing, and a sandbox if opened anyway."""
    content_type = attachment.content_type
    if not content_type.startswith(("application/pdf", "image/png", "image/jpeg", "audio/")):
        content_type = "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("activities", "view")
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    attachment = attachment_get(actor, pk)
    record_event(
        kind="attachment.downloaded",
        workspace=actor.workspace,
        actor=actor.user,
        target=attachment.activity,
        data={"file": attachment.name, "attachment": attachment.pk},
    )
    return download(attachment)


@permission_required("activities", "change")
@require_POST
def attachment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    attachment = attachment_get(actor, pk)
    attachment_delete(actor, attachment.pk)
    messages.success(request, _("“%(name)s” has been removed.") % {"name": attachment.name})
    return HttpResponseRedirect(reverse("activities:activity_edit", args=[attachment.activity_id]))


urls = [
    path("new/<int:client_id>/", activity_new, name="activity_new"),
    path("<int:pk>/", activity_detail, name="activity"),
    path("<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("<int:pk>/delete/", activity_delete_view, name="activity_delete"),
    path("attachments/<int:pk>/", attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", attachment_delete_view, name="attachment_delete"),
]
