"""Hand-over: when a manager leaves or changes area, everything they own is transferred
to one or several colleagues in one action, the history staying with the records."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.core.access import require, scope_queryset
from relata.core.audit import events_for_owner_change, record_event
from relata.core.errors import invalid
from relata.core.handover import OwnedKind, owned_kind, owned_kinds
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Event, Job, Membership
from relata.core.selectors.members import member_get
from relata.core.services.jobs import job_start
from relata.core.services.members import member_deactivate

CHUNK = 500


@dataclass(frozen=True)
class HandoverLine:
    kind: OwnedKind
    count: int


def _owned_rows(actor: Membership, kind: OwnedKind, from_user_id: int) -> QuerySet[Model]:
    queryset = scope_queryset(actor, kind.model._default_manager.all(), "view").filter(
        **{f"{kind.owner_field}_id": from_user_id}
    )
    if kind.transfer is not None:
        queryset = queryset.filter(kind.transfer)
    return queryset


def _member(actor: Membership, user_id: int | None, field: str) -> Membership:
    member = (
        Membership.objects.filter(workspace_id=actor.workspace_id, user_id=user_id).select_related("user").first()
        if user_id
        else None
    )
    if member is None:
        raise invalid(field, _("Choose a member of this workspace."))
    return member


def handover_preview(actor: Membership, from_user_id: int) -> list[HandoverLine]:
    """How many records of each registered kind the member owns and would hand over
    (404 for somebody who is not a member of the actor's workspace)."""
    require(actor, "admin", "assign")
    member_get(actor, from_user_id)
    return [HandoverLine(kind, _owned_rows(actor, kind, from_user_id).count()) for kind in owned_kinds()]


def handover_start(
    actor: Membership,
    *,
    from_user_id: int,
    to_user_ids: list[int],
    kinds: list[str] | None = None,
    deactivate: bool = False,
) -> Job:
    """Validate and start the hand-over as a background job; returns the job."""
    require(actor, "admin", "assign")
    source = _member(actor, from_user_id, "from_user")
    recipients = list(dict.fromkeys(to_user_ids))
    if not recipients:
        raise invalid("to_users", _("Choose at least one colleague to hand the records to."))
    if source.user_id in recipients:
        raise invalid("to_users", _("The records cannot be handed to the member who gives them away."))
    for user_id in recipients:
        member = _member(actor, user_id, "to_users")
        if not member.is_active:
            raise invalid("to_users", _("%(name)s is deactivated and cannot receive records.") % {"name": member.user})
    known = {kind.key for kind in owned_kinds()}
    chosen = list(kinds) if kinds is not None else sorted(known)
    unknown = [key for key in chosen if key not in known]
    if unknown or not chosen:
        raise invalid("kinds", _("Choose what to hand over."))
    if deactivate and source.pk == actor.pk:
        raise invalid("deactivate", _("You cannot deactivate yourself."))
    return job_start(
        actor,
        kind="core.handover",
        params={"from_user": source.user_id, "to_users": recipients, "kinds": chosen, "deactivate": deactivate},
    )


def recipient_for(group_value: Any, recipients: list[int]) -> int:
    """The recipient of a group of related records: a stable hash, so that the records of
    one client go to the same colleague in every kind and on every retry."""
    return recipients[zlib.crc32(str(group_value).encode()) % len(recipients)]


def _transfer_chunk(
    actor: Membership, kind: OwnedKind, from_user_id: int, rows: list[Model], recipients: list[int]
) -> int:
    model = kind.model
    has_version = any(f.name == "version" for f in model._meta.concrete_fields)
    by_recipient: dict[int, list[Model]] = {}
    for row in rows:
        by_recipient.setdefault(recipient_for(getattr(row, kind.group_field), recipients), []).append(row)
    moved = 0
    with transaction.atomic():
        for recipient, group in by_recipient.items():
            extra: dict[str, Any] = {"version": F("version") + 1} if has_version else {}
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                extra["updated_at"] = timezone.now()
            # The owner condition makes a retried chunk move only what is still there.
            moved += model._default_manager.filter(
                pk__in=[row.pk for row in group], **{f"{kind.owner_field}_id": from_user_id}
            ).update(**{f"{kind.owner_field}_id": recipient}, **extra)
            Event.objects.bulk_create(
                events_for_owner_change(
                    workspace=actor.workspace,
                    actor=actor.user,
                    model=model,
                    rows=[(row.pk, str(row), from_user_id, recipient) for row in group],
                )
            )
    return moved


@job_handler("core.handover", gettext_lazy("Hand-over of records"))
def handover_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    require(actor, "admin", "assign")
    params = context.params
    from_user_id = int(params["from_user"])
    recipients = [
        m.user_id
        for m in Membership.objects.filter(
            workspace_id=actor.workspace_id, user_id__in=params["to_users"], is_active=True
        )
    ]
    if not recipients:
        raise invalid("to_users", _("None of the chosen colleagues is active any more."))
    recipients.sort()
    kinds = [owned_kind(key) for key in params["kinds"]]
    total = sum(_owned_rows(actor, kind, from_user_id).count() for kind in kinds)
    context.progress(0, total, force=True)
    moved: dict[str, int] = {}
    done = 0
    for kind in kinds:
        moved[kind.key] = 0
        while True:
            chunk = list(_owned_rows(actor, kind, from_user_id).order_by("pk")[:CHUNK])
            if not chunk:
                break
            count = _transfer_chunk(actor, kind, from_user_id, chunk, recipients)
            moved[kind.key] += count
            done += count
            context.progress(done, max(total, done), _("Handing over: %(label)s") % {"label": kind.label})
    with transaction.atomic():
        source = Membership.objects.select_related("user").get(workspace_id=actor.workspace_id, user_id=from_user_id)
        record_event(
            kind="handover.completed",
            workspace=actor.workspace,
            actor=actor.user,
            target=source,
            data={"moved": moved, "to_users": recipients, "deactivated": bool(params.get("deactivate"))},
        )
        if params.get("deactivate") and source.is_active:
            member_deactivate(actor, source.user_id)
    lines = [{"key": kind.key, "label": str(kind.label), "count": moved[kind.key]} for kind in kinds]
    return {"moved": moved, "lines": lines, "to_users": recipients, "total": done}
