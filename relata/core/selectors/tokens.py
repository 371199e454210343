from __future__ import annotations

from django.db.models import QuerySet

from relata.core.models import ApiToken, Membership


def tokens_of(actor: Membership) -> QuerySet[ApiToken]:
    """The actor's own API tokens, active first. Nobody else's tokens are ever listed."""
    return ApiToken.objects.filter(workspace_id=actor.workspace_id, membership=actor).order_by(
        "revoked_at", "-created_at"
    )
