from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.models import ApiToken, Membership

TOKEN_PREFIX = "rl_"  # noqa: S105  (a marker, not a secret)
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often, so that busy clients do not write on
# every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(actor: Membership, *, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token of the actor. Returns it with the secret, which is not
    stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise invalid("name", _("Name the token, e.g. after the program that will use it."))
    if expires_at is not None and expires_at <= timezone.now():
        raise invalid("expires_at", _("The expiry date must be in the future."))
    active = ApiToken.objects.filter(membership=actor, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise invalid("name", _("You already have %(count)d active tokens; revoke one first.") % {"count": active})
    body = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}{body}"
    token = ApiToken.objects.create(
        workspace_id=actor.workspace_id,
        membership=actor,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(secret),
        expires_at=expires_at,
    )
    record_event(
        kind="token.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=token,
        data={"name": name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def token_revoke(actor: Membership, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (idempotent)."""
    token = ApiToken.objects.filter(membership=actor, pk=token_id).first()
    if token is None:
        raise Http404("token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        record_event(
            kind="token.revoked",
            workspace=actor.workspace,
            actor=actor.user,
            target=token,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token


def token_authenticate(secret: str) -> Membership | None:
    """The active membership a presented token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related(
            "membership__workspace", "membership__role", "membership__team", "membership__user"
        )
        .filter(key_hash=hash_token(secret))
        .first()
    )
    if token is None or not token.is_usable:
        return None
    membership = token.membership
    if not (membership.is_active and membership.user.is_active and membership.workspace.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership
