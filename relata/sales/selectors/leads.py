"""Reads of leads and web forms, and the look-up of the known client a lead belongs to."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from relata.clients.models import Client, ClientEmail, ClientKind, ClientPhone
from relata.clients.normalize import matching_name
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.sales.models import Lead, WebForm


def leads_visible_to(actor: Membership) -> QuerySet[Lead]:
    """Leads of the owners within the actor's scope (own, team subtree, all)."""
    return scope_queryset(actor, Lead.objects.all()).select_related("owner", "client", "deal", "web_form")


def lead_get(actor: Membership, pk: Any) -> Lead:
    return get_visible(actor, leads_visible_to(actor).select_related("created_by"), pk)


def filter_leads(
    queryset: QuerySet[Lead],
    *,
    status: str | None = None,
    source: str | None = None,
    owner: int | None = None,
    q: str = "",
) -> QuerySet[Lead]:
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    if owner:
        queryset = queryset.filter(owner_id=owner)
    q = q.strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        condition = (
            Q(contact_name__icontains=q)
            | Q(company_name__icontains=q)
            | Q(email__icontains=q.lower())
            | Q(campaign__icontains=q)
        )
        if len(digits) >= 3:
            condition |= Q(phone__contains=digits) | Q(inn__startswith=digits)
        queryset = queryset.filter(condition)
    return queryset


def webforms_visible_to(actor: Membership) -> QuerySet[WebForm]:
    return scope_queryset(actor, WebForm.objects.all()).select_related("default_owner").order_by("name", "id")


def webform_get(actor: Membership, pk: Any) -> WebForm:
    return get_visible(actor, webforms_visible_to(actor), pk)


def webform_by_key(key: str) -> WebForm | None:
    """The form the public endpoint names (any state; the caller checks `is_active`)."""
    if not key or len(key) > 64:
        return None
    return WebForm.objects.select_related("workspace", "default_owner").filter(key=key).first()


# --- Known clients ------------------------------------------------------------------------


def known_clients(
    workspace_id: int,
    *,
    phone: str = "",
    email: str = "",
    inn: str = "",
    company_name: str = "",
    kind: str | None = None,
) -> list[Client]:
    """Clients of the workspace with the same INN, e-mail or phone (normalised values, as
    the client base stores them), then, for companies, the same name key the duplicate
    finder uses; best evidence first, oldest client first within each. The whole
    workspace is searched: a known client is known whoever owns it (callers decide what
    the actor may see)."""
    base = Client.objects.filter(workspace_id=workspace_id)
    if kind:
        base = base.filter(kind=kind)
    found: list[Client] = []
    seen: set[int] = set()

    def add(queryset: QuerySet[Client]) -> None:
        for client in queryset.select_related("owner").order_by("pk")[:5]:
            if client.pk not in seen:
                seen.add(client.pk)
                found.append(client)

    if inn:
        add(base.filter(inn=inn))
    if email:
        add(base.filter(pk__in=ClientEmail.objects.filter(workspace_id=workspace_id, email=email).values("client_id")))
    if phone:
        add(base.filter(pk__in=ClientPhone.objects.filter(workspace_id=workspace_id, number=phone).values("client_id")))
    if company_name and kind == ClientKind.COMPANY:
        key = matching_name(company_name)[:255]
        if key:
            add(base.filter(match_name=key))
    return found


def known_client(workspace_id: int, *, phone: str = "", email: str = "", inn: str = "") -> Client | None:
    """The client a lead with these contacts comes from, if any (see `known_clients`)."""
    if not (phone or email or inn):
        return None
    matches = known_clients(workspace_id, phone=phone, email=email, inn=inn)
    return matches[0] if matches else None


def client_visible(actor: Membership, client: Client | None) -> bool:
    return client is not None and scope_queryset(actor, Client.objects.filter(pk=client.pk)).exists()


def with_client_seen(actor: Membership, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    """`client_seen` on each lead: whether the actor may see its known client (lists
    must not name a client outside the actor's scope)."""
    seen = scope_queryset(actor, Client.objects.filter(pk=OuterRef("client_id")))
    return queryset.annotate(client_seen=Exists(seen))
