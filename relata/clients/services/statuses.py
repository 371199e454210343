"""Lifecycle statuses: configurable per workspace, seeded with the defaults."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from relata.clients.models import Client, LifecycleStatus
from relata.clients.models.clients import BUILTIN_STATUSES
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership, Workspace

STATUS_FIELDS = ["name", "position", "is_default", "is_active"]


def statuses_seed(workspace: Workspace | int) -> None:
    """Give a workspace the default statuses if it has none (idempotent)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    if LifecycleStatus.objects.filter(workspace_id=workspace_id).exists():
        return
    LifecycleStatus.objects.bulk_create(
        [
            LifecycleStatus(workspace_id=workspace_id, key=key, position=n * 10, is_default=(key == "cold"))
            for n, (key, _label) in enumerate(BUILTIN_STATUSES)
        ],
        ignore_conflicts=True,
    )


def default_status(workspace_id: int) -> LifecycleStatus:
    status = (
        LifecycleStatus.objects.filter(workspace_id=workspace_id, is_active=True)
        .order_by("-is_default", "position", "id")
        .first()
    )
    if status is None:
        raise invalid("status", _("The workspace has no lifecycle status in use; an administrator must add one."))
    return status


def _clean_name(actor: Membership, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    clash = LifecycleStatus.objects.filter(workspace_id=actor.workspace_id, name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if name and clash.exists():
        raise invalid("name", _("A status with this name already exists."))
    return name


def _only_default(actor: Membership, status: LifecycleStatus) -> None:
    if status.is_default:
        LifecycleStatus.objects.filter(workspace_id=actor.workspace_id).exclude(pk=status.pk).update(is_default=False)


@transaction.atomic
def status_create(actor: Membership, *, name: str, is_default: bool = False) -> LifecycleStatus:
    require(actor, "admin", "change")
    name = _clean_name(actor, name)
    if not name:
        raise invalid("name", _("Enter the status's name."))
    statuses_seed(actor.workspace_id)
    last = LifecycleStatus.objects.filter(workspace_id=actor.workspace_id).aggregate(m=Max("position"))["m"] or 0
    status = LifecycleStatus.objects.create(
        workspace_id=actor.workspace_id, name=name, position=last + 10, is_default=is_default
    )
    _only_default(actor, status)
    record_event(
        kind="status.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=status,
        changes=diff({}, snapshot(status, STATUS_FIELDS)),
    )
    return status


@transaction.atomic
def status_update(
    actor: Membership, status_id: int, *, version: int, name: str, position: int, is_default: bool, is_active: bool
) -> LifecycleStatus:
    require(actor, "admin", "change")
    status = get_visible(actor, LifecycleStatus, status_id)
    before = snapshot(status, STATUS_FIELDS)
    status.name = _clean_name(actor, name, exclude_pk=status.pk)
    if not status.name and not status.key:
        raise invalid("name", _("Enter the status's name."))
    if is_default and not is_active:
        raise invalid("is_active", _("The status for new clients must be in use."))
    status.position, status.is_default, status.is_active = position, is_default, is_active
    save_versioned(status, expected_version=version, fields=STATUS_FIELDS)
    _only_default(actor, status)
    changes = diff(before, snapshot(status, STATUS_FIELDS))
    if changes:
        record_event(kind="status.changed", workspace=actor.workspace, actor=actor.user, target=status, changes=changes)
    return status


@transaction.atomic
def status_delete(actor: Membership, status_id: int) -> None:
    require(actor, "admin", "change")
    status = get_visible(actor, LifecycleStatus, status_id)
    used = Client.objects.filter(workspace_id=actor.workspace_id, status=status).count()
    if used:
        raise invalid(
            "status",
            _("%(count)d clients have this status; take it out of use instead, or move them first.") % {"count": used},
        )
    record_event(kind="status.deleted", workspace=actor.workspace, actor=actor.user, target=status)
    status.delete()
