from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership, Team
from relata.core.selectors.teams import team_subtree_ids

TEAM_FIELDS = ["name", "parent", "description"]


def _parent(actor: Membership, parent_id: int | None) -> Team | None:
    if not parent_id:
        return None
    parent = Team.objects.filter(workspace_id=actor.workspace_id, pk=parent_id).first()
    if parent is None:
        raise invalid("parent", _("Choose a team of this workspace."))
    return parent


def _name(actor: Membership, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the team's name."))
    clash = Team.objects.filter(workspace_id=actor.workspace_id, name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise invalid("name", _("A team with this name already exists."))
    return name


@transaction.atomic
def team_create(actor: Membership, *, name: str, parent_id: int | None = None, description: str = "") -> Team:
    require(actor, "admin", "create")
    team = Team(
        workspace_id=actor.workspace_id,
        name=_name(actor, name),
        parent=_parent(actor, parent_id),
        description=description.strip(),
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise invalid("name", _("A team with this name already exists.")) from exc
    record_event(
        kind="team.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=team,
        changes=diff({}, snapshot(team, TEAM_FIELDS)),
    )
    return team


@transaction.atomic
def team_update(
    actor: Membership, team_id: int, *, version: int, name: str, parent_id: int | None = None, description: str = ""
) -> Team:
    require(actor, "admin", "change")
    team = get_visible(actor, Team, team_id)
    parent = _parent(actor, parent_id)
    if parent is not None and parent.pk in team_subtree_ids(actor.workspace_id, team.pk):
        raise invalid("parent", _("A team cannot be placed under itself or one of its sub-teams."))
    before = snapshot(team, TEAM_FIELDS)
    team.name = _name(actor, name, exclude_pk=team.pk)
    team.parent = parent
    team.description = description.strip()
    save_versioned(team, expected_version=version, fields=TEAM_FIELDS)
    changes = diff(before, snapshot(team, TEAM_FIELDS))
    if changes:
        record_event(kind="team.changed", workspace=actor.workspace, actor=actor.user, target=team, changes=changes)
    return team


@transaction.atomic
def team_delete(actor: Membership, team_id: int) -> None:
    require(actor, "admin", "delete")
    team = get_visible(actor, Team, team_id)
    if team.children.exists():
        raise invalid("team", _("The team has sub-teams; move or delete them first."))
    members = Membership.objects.filter(team=team).count()
    if members:
        raise invalid(
            "team", _("The team has %(count)d member(s); move them to another team first.") % {"count": members}
        )
    record_event(
        kind="team.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=team,
        changes=diff(snapshot(team, TEAM_FIELDS), {}),
    )
    team.delete()
