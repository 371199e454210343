from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.core.access import require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.invitations import send_invitation
from relata.core.models import ApiToken, Membership, Role, Team, User, normalize_email
from relata.core.models.users import new_security_stamp
from relata.core.selectors.members import member_get

ADMIN_PERMISSION = "admin.change"
MEMBER_FIELDS = ["role", "team", "title"]


def _role(actor: Membership, role_id: int | None) -> Role:
    role = Role.objects.filter(workspace_id=actor.workspace_id, pk=role_id).first() if role_id else None
    if role is None:
        raise invalid("role", _("Choose a role of this workspace."))
    return role


def _team(actor: Membership, team_id: int | None) -> Team | None:
    if not team_id:
        return None
    team = Team.objects.filter(workspace_id=actor.workspace_id, pk=team_id).first()
    if team is None:
        raise invalid("team", _("Choose a team of this workspace."))
    return team


def _ensure_an_administrator_remains(workspace_id: int) -> None:
    """Refuse a change that would leave the workspace without an active administrator.

    Called inside the transaction after the change is written, so it sees the result.
    """
    admins = [
        m
        for m in Membership.objects.filter(workspace_id=workspace_id, is_active=True).select_related("role")
        if ADMIN_PERMISSION in m.role.permission_set
    ]
    if not admins:
        raise invalid("role", _("The workspace must keep at least one active member who can administer it."))


@transaction.atomic
def member_add(
    actor: Membership,
    *,
    email: str,
    full_name: str,
    role_id: int | None,
    team_id: int | None = None,
    title: str = "",
    password: str | None = None,
    invite: bool = True,
) -> tuple[Membership, bool]:
    """Add a person to the workspace. Returns (membership, user_is_new).

    An existing user (same e-mail, any case) joins with their own name and password;
    a new user gets the given password, or none and (with `invite`) a letter with a
    link to set it, sent once the transaction commits.
    """
    require(actor, "admin", "create")
    email = normalize_email(email)
    if not email:
        raise invalid("email", _("Enter an e-mail address."))
    role = _role(actor, role_id)
    team = _team(actor, team_id)
    user = User.objects.filter(email=email).first()
    is_new = user is None
    if user is None:
        if not full_name.strip():
            raise invalid("full_name", _("Enter the person's full name."))
        user = User.objects.create_user(email, password, full_name=full_name.strip())
    elif Membership.objects.filter(workspace_id=actor.workspace_id, user=user).exists():
        raise invalid("email", _("%(email)s is already a member of this workspace.") % {"email": email})
    membership = Membership.objects.create(
        workspace_id=actor.workspace_id, user=user, role=role, team=team, title=title.strip()
    )
    record_event(
        kind="member.added",
        workspace=actor.workspace,
        actor=actor.user,
        target=membership,
        changes=diff({}, snapshot(membership, MEMBER_FIELDS)),
        data={"email": email, "new_user": is_new},
    )
    if is_new and invite:
        send_invitation(membership, invited_by=actor.user)
    return membership, is_new


@transaction.atomic
def member_update(
    actor: Membership,
    user_id: int,
    *,
    version: int,
    role_id: int | None,
    team_id: int | None,
    title: str = "",
) -> Membership:
    require(actor, "admin", "change")
    membership = member_get(actor, user_id)
    before = snapshot(membership, MEMBER_FIELDS)
    membership.role = _role(actor, role_id)
    membership.team = _team(actor, team_id)
    membership.title = title.strip()
    save_versioned(membership, expected_version=version, fields=MEMBER_FIELDS)
    _ensure_an_administrator_remains(actor.workspace_id)
    changes = diff(before, snapshot(membership, MEMBER_FIELDS))
    if changes:
        record_event(
            kind="member.changed", workspace=actor.workspace, actor=actor.user, target=membership, changes=changes
        )
    return membership


def _end_sessions_and_tokens(membership: Membership) -> int:
    """Revoke the member's API tokens here and end every session of the user."""
    revoked = ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(revoked_at=timezone.now())
    User.objects.filter(pk=membership.user_id).update(security_stamp=new_security_stamp())
    return revoked


@transaction.atomic
def member_deactivate(actor: Membership, user_id: int) -> Membership:
    """Take a member's access away: their sessions end and their API tokens stop working.
    Their records keep their owner until an administrator hands them over."""
    require(actor, "admin", "change")
    membership = member_get(actor, user_id)
    if membership.pk == actor.pk:
        raise invalid("membership", _("You cannot deactivate yourself."))
    if not membership.is_active:
        return membership
    Membership.objects.filter(pk=membership.pk).update(is_active=False, deactivated_at=timezone.now())
    membership.refresh_from_db()
    _ensure_an_administrator_remains(actor.workspace_id)
    revoked = _end_sessions_and_tokens(membership)
    record_event(
        kind="member.deactivated",
        workspace=actor.workspace,
        actor=actor.user,
        target=membership,
        changes={"is_active": [True, False]},
        data={"tokens_revoked": revoked},
    )
    return membership


@transaction.atomic
def member_reactivate(actor: Membership, user_id: int) -> Membership:
    require(actor, "admin", "change")
    membership = member_get(actor, user_id)
    if membership.is_active:
        return membership
    Membership.objects.filter(pk=membership.pk).update(is_active=True, deactivated_at=None)
    User.objects.filter(pk=membership.user_id, is_active=False).update(is_active=True)
    membership.refresh_from_db()
    record_event(
        kind="member.reactivated",
        workspace=actor.workspace,
        actor=actor.user,
        target=membership,
        changes={"is_active": [False, True]},
    )
    return membership
