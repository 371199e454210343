"""API authentication: a personal token (Authorization: Bearer rl_…) or the browser's
session (with its CSRF token, for the interactive docs and the UI's own calls).
Either way `request.auth` is the acting Membership."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from relata.core.context import set_page_language
from relata.core.middleware import activate_preferences
from relata.core.models import Membership
from relata.core.services.tokens import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = token_authenticate(token)
        if membership is not None:
            request.actor = membership  # type: ignore[attr-defined]
            activate_preferences(membership)
            set_page_language(translation.get_language() or "")
        return membership


class SessionActorAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return getattr(request, "actor", None)


def actor_of(request: HttpRequest) -> Membership:
    """The acting member of an authenticated API request."""
    actor = request.auth  # type: ignore[attr-defined]
    if not isinstance(actor, Membership):  # every operation requires auth; guard anyway
        raise AuthenticationError()
    return actor
