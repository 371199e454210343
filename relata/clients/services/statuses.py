"""Lifecycle statuses: configurable per workspace, seeded with the defaults.

Administrators (`admin.change`) add, rename, reorder and retire statuses. A status some
client has cannot be deleted (take it out of use instead), and the workspace always
keeps at least one status in use, so that new clients can always be given one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _

from relata.clients.models import Client, LifecycleStatus
from relata.clients.models.clients import _BUILTIN_STATUS_NAMES, BUILTIN_STATUSES
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership, Workspace

STATUS_FIELDS = ["name", "position", "is_default", "is_active"]
MAX_NAME = 60
MAX_POSITION = 32767  # a PositiveSmallIntegerField


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


def status_client_count(status: LifecycleStatus) -> int:
    """How many clients of the whole workspace have the status (what blocks deleting it)."""
    return Client.objects.filter(workspace_id=status.workspace_id, status=status).count()


def _clean_name(actor: Membership, name: str, exclude_pk: int | None = None) -> str:
    """The stripped name; refused when another status is already shown under it (a
    built-in status without a name of its own shows its built-in name, in any language)."""
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise invalid("name", _("At most %(n)d characters.") % {"n": MAX_NAME})
    if not name:
        return name
    others = LifecycleStatus.objects.filter(workspace_id=actor.workspace_id)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    lowered = name.lower()
    for other in others:
        if lowered in _shown_names(other):
            raise invalid("name", _("A status with this name already exists."))
    return name


def _shown_names(status: LifecycleStatus) -> set[str]:
    """The names a status is shown under, lower-cased: its own, or its built-in name in
    every language of the interface."""
    if status.name:
        return {status.name.lower()}
    names = {status.key.lower()}
    label = _BUILTIN_STATUS_NAMES.get(status.key)
    if label is not None:
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(label).lower())
    return names


def _clean_position(position: int) -> int:
    if not 0 <= position <= MAX_POSITION:
        raise invalid("position", _("Enter a number from 0 to %(max)d.") % {"max": MAX_POSITION})
    return position


def _only_default(actor: Membership, status: LifecycleStatus) -> None:
    if status.is_default:
        LifecycleStatus.objects.filter(workspace_id=actor.workspace_id).exclude(pk=status.pk).update(is_default=False)


def _others_in_use(status: LifecycleStatus) -> bool:
    others = LifecycleStatus.objects.filter(workspace_id=status.workspace_id, is_active=True).exclude(pk=status.pk)
    return others.exists()


@transaction.atomic
def status_create(
    actor: Membership, *, name: str, is_default: bool = False, position: int | None = None
) -> LifecycleStatus:
    """A new status in use, placed last unless `position` is given; with `is_default`
    it becomes the status of new clients (and the previous one stops being it)."""
    require(actor, "admin", "change")
    name = _clean_name(actor, name)
    if not name:
        raise invalid("name", _("Enter the status's name."))
    statuses_seed(actor.workspace_id)
    if position is None:
        last = LifecycleStatus.objects.filter(workspace_id=actor.workspace_id).aggregate(m=Max("position"))["m"]
        position = min((last or 0) + 10, MAX_POSITION)
    status = LifecycleStatus(
        workspace_id=actor.workspace_id, name=name, position=_clean_position(position), is_default=is_default
    )
    try:
        with transaction.atomic():
            status.save()
    except IntegrityError as exc:  # a concurrent creation of the same name
        raise invalid("name", _("A status with this name already exists.")) from exc
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
    """Rename, reorder, make default or take out of use. A built-in status with an empty
    name shows its built-in (translated) name. The status for new clients must be in use,
    and the last status in use cannot be taken out of use. Stale `version`: StaleVersion."""
    require(actor, "admin", "change")
    status = get_visible(actor, LifecycleStatus, status_id)
    before = snapshot(status, STATUS_FIELDS)
    status.name = _clean_name(actor, name, exclude_pk=status.pk)
    if not status.name and not status.key:
        raise invalid("name", _("Enter the status's name."))
    if is_default and not is_active:
        raise invalid("is_active", _("The status for new clients must be in use."))
    if not is_active and status.is_active and not _others_in_use(status):
        raise invalid("is_active", _("At least one status must stay in use."))
    status.position, status.is_default, status.is_active = _clean_position(position), is_default, is_active
    try:
        with transaction.atomic():
            save_versioned(status, expected_version=version, fields=STATUS_FIELDS)
    except IntegrityError as exc:
        raise invalid("name", _("A status with this name already exists.")) from exc
    _only_default(actor, status)
    changes = diff(before, snapshot(status, STATUS_FIELDS))
    if changes:
        record_event(kind="status.changed", workspace=actor.workspace, actor=actor.user, target=status, changes=changes)
    return status


@transaction.atomic
def status_delete(actor: Membership, status_id: int) -> None:
    """Delete a status no client has; refused (naming how many have it) otherwise, and
    for the last status in use."""
    require(actor, "admin", "change")
    status = get_visible(actor, LifecycleStatus, status_id)
    used = status_client_count(status)
    if used:
        raise invalid(
            "status",
            _("%(count)d clients have this status; take it out of use instead, or move them first.") % {"count": used},
        )
    if status.is_active and not _others_in_use(status):
        raise invalid("status", _("At least one status must stay in use."))
    record_event(kind="status.deleted", workspace=actor.workspace, actor=actor.user, target=status)
    try:
        with transaction.atomic():
            status.delete()
    except ProtectedError as exc:  # a client was given the status meanwhile
        raise invalid("status", _("Clients have this status; take it out of use instead.")) from exc
