"""Segments: saved dynamic filters and static lists, with their live count."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.fields import filter_fields
from relata.clients.models import ClientKind, Segment
from relata.clients.models.segments import SegmentKind
from relata.clients.selectors.lists import definition_from_params, segment_queryset
from relata.clients.selectors.segments import segments_visible_to
from relata.clients.services.segments import (
    segment_add_clients,
    segment_create,
    segment_delete,
    segment_remove_clients,
    segment_update,
)
from relata.clients.views.listing import field_catalogue
from relata.core.access import get_visible
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import run_action

COUNT_LIMIT = 100_000


def live_count(queryset: QuerySet[Any]) -> tuple[int, bool]:
    """The count, capped (a count over a million rows while typing is not worth its cost)."""
    count = queryset.order_by()[: COUNT_LIMIT + 1].count()  # no ORDER BY: see CountedPaginator
    return min(count, COUNT_LIMIT), count > COUNT_LIMIT


@permission_required("clients", "view")
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    segments = []
    for segment in segments_visible_to(actor).order_by("entity", "name"):
        count, capped = live_count(segment_queryset(actor, segment))
        segments.append({"segment": segment, "count": count, "capped": capped})
    return render(request, "clients/segments.html", {"segments": segments})


def _definition(actor: Membership, kind: str, data: QueryDict) -> tuple[dict[str, Any], list[str]]:
    return definition_from_params(data, kind, filter_fields(actor.workspace_id, kind))


@permission_required("clients", "view")
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a segment. Dynamic segments take their conditions from the same
    builder as the lists (a list's query string can be sent here to save it)."""
    actor = request.actor  # type: ignore[attr-defined]
    segment = get_visible(actor, segments_visible_to(actor), pk) if pk else None
    source = request.POST if request.method == "POST" else request.GET
    kind = (
        segment.entity
        if segment
        else (source.get("entity") if source.get("entity") in ClientKind.values else ClientKind.COMPANY)
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        definition, problems = _definition(actor, kind, request.POST)
        if problems:
            errors["conditions"] = problems
        else:
            try:
                if segment is None:
                    segment = segment_create(
                        actor,
                        name=request.POST.get("name", ""),
                        entity=kind,
                        kind=request.POST.get("kind", SegmentKind.DYNAMIC),
                        definition=definition,
                        description=request.POST.get("description", ""),
                        is_shared=bool(request.POST.get("is_shared")),
                    )
                else:
                    segment = segment_update(
                        actor,
                        segment.pk,
                        version=int(request.POST.get("version") or 0),
                        name=request.POST.get("name", ""),
                        definition=definition,
                        description=request.POST.get("description", ""),
                        is_shared=bool(request.POST.get("is_shared")),
                    )
                return HttpResponseRedirect(reverse("clients:segment", args=[segment.pk]))
            except ValidationError as error:
                errors = error.message_dict
    conditions = (
        source.getlist("cond")
        if (request.method == "POST" or source.getlist("cond"))
        else [
            f"{c['field']}|{c['op']}|{json.dumps(c.get('value'))}"
            for c in (segment.definition.get("conditions", []) if segment else [])
        ]
    )
    context = {
        "segment": segment,
        "kind": kind,
        "catalogue": field_catalogue(filter_fields(actor.workspace_id, kind), actor),
        "advanced": conditions,
        "values": source
        if (request.method == "POST" or not segment)
        else {"name": segment.name, "description": segment.description, "q": segment.definition.get("text", "")},
        "is_shared": segment.is_shared if segment and request.method != "POST" else bool(source.get("is_shared", True)),
        "errors": errors,
        "kinds": SegmentKind.choices,
    }
    return render(request, "clients/segment_form.html", context, status=400 if errors else 200)


@permission_required("clients", "view")
@require_GET
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count shown while conditions are edited (HTMX)."""
    actor = request.actor  # type: ignore[attr-defined]
    kind = request.GET.get("entity") if request.GET.get("entity") in ClientKind.values else ClientKind.COMPANY
    definition, problems = _definition(actor, kind, request.GET)
    count, capped = (0, False)
    if not problems:
        from relata.clients.selectors.lists import client_list

        count, capped = live_count(client_list(actor, kind, definition=definition))
    return render(request, "clients/_segment_count.html", {"count": count, "capped": capped, "problems": problems})


@permission_required("clients", "view")
@require_GET
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    segment = get_visible(actor, segments_visible_to(actor), pk)
    list_url = reverse("clients:companies" if segment.entity == ClientKind.COMPANY else "clients:people")
    return HttpResponseRedirect(f"{list_url}?segment={segment.pk}")


@permission_required("clients", "view")
@require_POST
def segment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    segment: Segment = get_visible(actor, segments_visible_to(actor), pk)
    run_action(
        request,
        lambda: segment_delete(actor, segment.pk),
        success_message=_("The segment “%(name)s” has been deleted.") % {"name": segment.name},
    )
    return HttpResponseRedirect(reverse("clients:segments"))


@permission_required("clients", "view")
@require_POST
def segment_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the selected clients to a static segment, or remove them."""
    actor = request.actor  # type: ignore[attr-defined]
    segment = get_visible(actor, segments_visible_to(actor), pk)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    if request.POST.get("remove"):
        run_action(
            request,
            lambda: segment_remove_clients(actor, segment.pk, ids),
            success_message=lambda n: _("%(n)d removed from the segment.") % {"n": n},
        )
    else:
        run_action(
            request,
            lambda: segment_add_clients(actor, segment.pk, ids),
            success_message=lambda n: _("%(n)d added to the segment.") % {"n": n},
        )
    return HttpResponseRedirect(reverse("clients:segment", args=[segment.pk]))


urls = [
    path("segments/", segment_list, name="segments"),
    path("segments/new/", segment_edit, name="segment_new"),
    path("segments/count/", segment_count, name="segment_count"),
    path("segments/<int:pk>/", segment_detail, name="segment"),
    path("segments/<int:pk>/edit/", segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", segment_delete_view, name="segment_delete"),
    path("segments/<int:pk>/members/", segment_members, name="segment_members"),
]
