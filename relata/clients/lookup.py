"""Clients as other apps' services take them: by id, within the actor's scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from relata.clients.models import Client, ClientKind
from relata.core.access import scope_queryset
from relata.core.errors import invalid
from relata.core.models import Membership


def visible_client(actor: Membership, client_id: Any, field: str = "client", *, kind: str | None = None) -> Client:
    """A client the actor may see; otherwise a field error (never saying whether it exists)."""
    try:
        pk = int(client_id)
    except (TypeError, ValueError):
        raise invalid(field, _("Choose a client.")) from None
    queryset = scope_queryset(actor, Client.objects.all(), "view")
    if kind:
        queryset = queryset.filter(kind=kind)
    client = queryset.filter(pk=pk).select_related("owner").first()
    if client is None:
        raise invalid(field, _("Choose a client you can see.") if kind != ClientKind.PERSON else _("Choose a person."))
    return client


def member_sees_client(member: Membership, client: Client) -> bool:
    return scope_queryset(member, Client.objects.filter(pk=client.pk), "view").exists()
