"""Companies and people: CRUD, search."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.api.schemas import (
    ClientFilter,
    ClientListOut,
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    to_values,
)
from relata.clients.models import Client, ClientKind
from relata.clients.selectors.clients import client_card, client_get, employers_of, staff_of
from relata.clients.selectors.lists import client_list
from relata.clients.selectors.search import search_clients
from relata.clients.services.clients import client_create, client_delete, client_update
from relata.core.access import get_visible, require
from relata.core.models import Membership

router = Router(tags=["clients"])


def definition_from(filters: ClientFilter) -> dict[str, Any]:
    """The filter definition of the list parameters (quick filters + a JSON definition)."""
    definition: dict[str, Any] = {"conditions": [], "text": filters.q or ""}
    if filters.filter:
        try:
            extra = json.loads(filters.filter)
        except json.JSONDecodeError as exc:
            raise ValidationError({"filter": ["The filter is not valid JSON."]}) from exc
        if not isinstance(extra, dict):
            raise ValidationError({"filter": ["The filter must be an object with “conditions”."]})
        definition["conditions"] = list(extra.get("conditions") or [])
    if filters.status_id is not None:
        definition["conditions"].append({"field": "status", "op": "in", "value": [filters.status_id]})
    if filters.owner_id is not None:
        definition["conditions"].append({"field": "owner", "op": "in", "value": [filters.owner_id]})
    if filters.city:
        definition["conditions"].append({"field": "city", "op": "eq", "value": filters.city})
    return definition


def _listing(actor: Membership, kind: str, filters: ClientFilter) -> QuerySet[Client]:
    require(actor, "clients", "view")
    segment = None
    if filters.segment_id is not None:
        from relata.clients.selectors.segments import segments_visible_to

        segment = get_visible(actor, segments_visible_to(actor), filters.segment_id)
        if segment.entity != kind:
            raise ValidationError({"segment_id": ["The segment is of another kind of client."]})
    queryset = client_list(actor, kind, definition=definition_from(filters), segment=segment, sort=filters.sort)
    if filters.tag:
        queryset = queryset.filter(tags__name__iexact=filters.tag)
    return queryset


def _detail(actor: Membership, pk: int, kind: str) -> Client:
    client = client_card(actor, pk, kind)
    if kind == ClientKind.COMPANY:
        client.visible_staff = list(staff_of(actor, client))  # type: ignore[attr-defined]
    else:
        client.visible_companies = list(employers_of(actor, client))  # type: ignore[attr-defined]
    return client


def _routes(kind: str, path: str, schema_in: Any, schema_patch: Any, schema_out: Any) -> None:
    label = "companies" if kind == ClientKind.COMPANY else "people"

    @router.get(path, response=list[ClientListOut], summary=f"List {label}", operation_id=f"{label}_list")
    @paginate(PagePagination)
    def listing(request: HttpRequest, filters: Query[ClientFilter]) -> QuerySet[Client]:
        return _listing(actor_of(request), kind, filters)

    @router.get(
        f"{path}/{{client_id}}", response=schema_out, summary=f"One of the {label}", operation_id=f"{label}_get"
    )
    def detail(request: HttpRequest, client_id: int) -> Client:
        return _detail(actor_of(request), client_id, kind)

    @router.post(path, response={201: schema_out}, summary=f"Create one of the {label}", operation_id=f"{label}_create")
    def create(request: HttpRequest, payload: schema_in) -> Status:  # type: ignore[valid-type]
        actor = actor_of(request)
        client = client_create(actor, kind=kind, values=to_values(payload))
        return Status(201, _detail(actor, client.pk, kind))

    @router.patch(
        f"{path}/{{client_id}}",
        response=schema_out,
        summary=f"Change one of the {label}",
        operation_id=f"{label}_update",
    )
    def update(request: HttpRequest, client_id: int, payload: schema_patch) -> Client:  # type: ignore[valid-type]
        actor = actor_of(request)
        client_update(actor, client_id, version=payload.version, values=to_values(payload), kind=kind)
        return _detail(actor, client_id, kind)

    @router.delete(
        f"{path}/{{client_id}}",
        response={204: None},
        summary=f"Delete one of the {label}",
        operation_id=f"{label}_delete",
    )
    def delete(request: HttpRequest, client_id: int) -> Status:
        actor = actor_of(request)
        require(actor, "clients", "delete")  # the permission first: no lookup without it
        client = client_get(actor, client_id, kind)
        client_delete(actor, client.pk)
        return Status(204, None)


_routes(ClientKind.COMPANY, "/companies", CompanyIn, CompanyPatch, CompanyOut)
_routes(ClientKind.PERSON, "/people", PersonIn, PersonPatch, PersonOut)


@router.get("/clients/search", response=list[ClientListOut], summary="Find companies and people by any fragment")
def search(request: HttpRequest, q: str, kind: str | None = None, limit: int = 10) -> list[Client]:
    actor = actor_of(request)
    require(actor, "clients", "view")
    if kind is not None and kind not in ClientKind.values:
        raise ValidationError({"kind": ["Choose company or person."]})
    return search_clients(actor, q, kind=kind, limit=max(1, min(limit, 50)))
