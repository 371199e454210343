from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from relata.core.audit import client_ip as audit_client_ip
from relata.core.auth.throttling import client_ip
from relata.core.context import serving_page
from relata.core.models import Membership
from relata.core.selectors.members import active_memberships_of

SESSION_WORKSPACE_KEY = "relata_workspace_id"


def resolve_actor(request: HttpRequest) -> Membership | None:
    """The member the logged-in user acts as: the workspace chosen in this session, or
    the first workspace the user is an active member of."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(active_memberships_of(user.pk))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_WORKSPACE_KEY)
    chosen = next((m for m in memberships if m.workspace_id == wanted), memberships[0])
    if wanted != chosen.workspace_id:
        request.session[SESSION_WORKSPACE_KEY] = chosen.workspace_id
    request.memberships = memberships  # type: ignore[attr-defined]
    return chosen


def activate_preferences(actor: Membership) -> None:
    """The member's language (else the browser's, as LocaleMiddleware found it) and time
    zone (else the workspace's)."""
    if actor.user.language:
        translation.activate(actor.user.language)
    name = actor.user.time_zone or actor.workspace.time_zone
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class ActorMiddleware:
    """Sets `request.actor` (the Membership, or None) and the client address that audit
    events record. API requests authenticated by token get their actor in the API's auth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        request.client_ip = ip  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        actor = resolve_actor(request)
        request.actor = actor  # type: ignore[attr-defined]
        if actor is not None:
            activate_preferences(actor)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        with audit_client_ip(ip), serving_page(translation.get_language() or ""):
            response = self.get_response(request)
        timezone.deactivate()
        return response
