"""Logging, changing and deleting activities, with their attachments.

An activity is written with everything it carries in one transaction: participants,
contact persons, files (stored before the transaction commits and removed again if it
does not), the event, and the tasks that task rules create from it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.activities.models import (
    DIRECTED_KINDS,
    SCHEDULED_KINDS,
    Activity,
    ActivityContact,
    ActivityKind,
    Attachment,
    Direction,
    Outcome,
)
from relata.activities.richtext import sanitize_html
from relata.activities.services.attachments import CheckedFile, check_upload
from relata.activities.services.common import active_member, as_int, aware, money, text, visible_client
from relata.clients.models import ClientKind
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.core.money import clean_currency

FIELDS = [
    "kind",
    "direction",
    "occurred_at",
    "duration",
    "recording_url",
    "email_thread",
    "subject",
    "body",
    "outcome",
    "outcome_note",
    "amount",
    "currency",
]
# A call logged a little ahead of the server's clock is not "in the future".
CLOCK_SLACK = dt.timedelta(minutes=5)
MAX_DURATION = 24 * 3600


def _outcome(actor: Membership, value: Any) -> Outcome | None:
    if value in (None, ""):
        return None
    outcome = Outcome.objects.filter(workspace_id=actor.workspace_id, pk=as_int(value), is_active=True).first()
    if outcome is None:
        raise invalid("outcome", _("Choose an outcome from the list."))
    return outcome


def _apply(actor: Membership, activity: Activity, values: dict[str, Any], *, creating: bool) -> None:
    """Validate `values` (only the keys given, all of them when creating) onto `activity`."""
    if creating or "kind" in values:
        kind = str(values.get("kind") or "")
        if kind not in ActivityKind.values:
            raise invalid("kind", _("Choose the kind of activity."))
        activity.kind = kind
    if creating or "direction" in values:
        direction = str(values.get("direction") or "")
        if activity.kind in DIRECTED_KINDS:
            if direction not in Direction.values:
                if direction:
                    raise invalid("direction", _("Choose incoming or outgoing."))
                direction = Direction.OUTGOING
        else:
            direction = ""
        activity.direction = direction
    elif activity.kind not in DIRECTED_KINDS:
        activity.direction = ""
    if creating or "occurred_at" in values:
        value = values.get("occurred_at")
        activity.occurred_at = timezone.now() if value in (None, "") else aware(value, "occurred_at")
    if activity.kind not in SCHEDULED_KINDS and activity.occurred_at > timezone.now() + CLOCK_SLACK:
        raise invalid(
            "occurred_at", _("A %(kind)s cannot be in the future.") % {"kind": activity.get_kind_display().lower()}
        )
    if creating or "duration" in values:
        duration = values.get("duration")
        if duration in (None, ""):
            activity.duration = None
        else:
            seconds = as_int(duration)
            if seconds < 0 or seconds > MAX_DURATION or str(duration).strip().lstrip("-") != str(abs(seconds)):
                raise invalid("duration", _("Enter the duration in seconds, up to 24 hours."))
            activity.duration = seconds
    if creating or "recording_url" in values:
        url = text(values, "recording_url", 500)
        if url and not url.lower().startswith(("http://", "https://")):
            raise invalid("recording_url", _("Enter a web address starting with http:// or https://."))
        activity.recording_url = url
    if creating or "email_thread" in values:
        activity.email_thread = text(values, "email_thread", 255)
    if creating or "subject" in values:
        activity.subject = text(values, "subject", 300)
    if creating or "body" in values:
        body = str(values.get("body") or "")
        if len(body) > 200_000:
            raise invalid("body", _("The text is too long."))
        activity.body = sanitize_html(body)
    if creating or "outcome" in values:
        activity.outcome = _outcome(actor, values.get("outcome"))
    if creating or "outcome_note" in values:
        activity.outcome_note = text(values, "outcome_note", 500)
    if creating or "amount" in values:
        activity.amount = money(values.get("amount"))
    if creating or "currency" in values or "amount" in values:
        currency = clean_currency(values.get("currency"), default=actor.workspace.default_currency)
        activity.currency = currency if activity.amount is not None else ""


def _participants(actor: Membership, ids: Any) -> list[int]:
    return sorted({active_member(actor, pk, "participants").user_id for pk in ids or []})


def _contacts(actor: Membership, ids: Any) -> list[int]:
    return sorted({visible_client(actor, pk, "contacts", kind=ClientKind.PERSON).pk for pk in ids or []})


def _check_files(activity: Activity | None, files: Sequence[UploadedFile[Any]]) -> list[CheckedFile]:
    checked = [check_upload(upload) for upload in files]
    present = activity.attachments.count() if activity is not None and activity.pk else 0
    if present + len(checked) > settings.RELATA_ATTACHMENTS_PER_ACTIVITY:
        raise invalid(
            "files",
            _("At most %(limit)d files per activity.") % {"limit": settings.RELATA_ATTACHMENTS_PER_ACTIVITY},
        )
    return checked


_written: contextvars.ContextVar[list[tuple[Any, str]] | None] = contextvars.ContextVar(
    "relata_attachment_files", default=None
)


@contextmanager
def _guarded_files() -> Iterator[None]:
    """Files written to the storage inside this block are deleted again if the block
    fails (the rows that would have pointed at them were rolled back)."""
    written: list[tuple[Any, str]] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)


def _store(actor: Membership, activity: Activity, files: list[CheckedFile]) -> list[Attachment]:
    stored = []
    for checked in files:
        attachment = Attachment(
            workspace_id=actor.workspace_id,
            activity=activity,
            name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            uploaded_by=actor.user,
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        written = _written.get()
        if written is not None:
            written.append((attachment.file.storage, attachment.file.name or ""))
        attachment.save()
        stored.append(attachment)
    return stored


def activity_log(
    actor: Membership,
    *,
    client_id: int,
    values: dict[str, Any],
    participant_ids: Sequence[int] = (),
    contact_ids: Sequence[int] = (),
    files: Sequence[UploadedFile[Any]] = (),
    run_rules: bool = True,
) -> Activity:
    """Log a contact with a client (a call, a letter, a meeting, a note…)."""
    require(actor, "activities", "create")
    client = visible_client(actor, client_id)
    activity = Activity(workspace_id=actor.workspace_id, client=client, author=actor.user)
    _apply(actor, activity, values, creating=True)
    participants = _participants(actor, participant_ids)
    contacts = _contacts(actor, contact_ids)
    checked = _check_files(None, files)
    with _guarded_files(), transaction.atomic():
        activity.save()
        activity.participants.set(participants)
        ActivityContact.objects.bulk_create([ActivityContact(activity=activity, person_id=pk) for pk in contacts])
        _store(actor, activity, checked)
        record_event(
            kind="activity.logged",
            workspace=actor.workspace,
            actor=actor.user,
            target=activity,
            changes=diff({}, snapshot(activity, FIELDS)),
            data={"client": client.pk, "kind": activity.kind, "files": len(checked)},
        )
        if run_rules:
            from relata.activities.services.rules import rules_on_activity

            rules_on_activity(actor, activity)
    return activity


def activity_update(
    actor: Membership,
    activity_id: int,
    *,
    version: int,
    values: dict[str, Any],
    participant_ids: Sequence[int] | None = None,
    contact_ids: Sequence[int] | None = None,
    files: Sequence[UploadedFile[Any]] = (),
) -> Activity:
    """Change an activity (only the keys given); a stale `version` is refused."""
    activity = get_visible(actor, Activity.objects.select_related("client"), activity_id, for_write=True)
    before = snapshot(activity, FIELDS)
    _apply(actor, activity, values, creating=False)
    participants = _participants(actor, participant_ids) if participant_ids is not None else None
    contacts = _contacts(actor, contact_ids) if contact_ids is not None else None
    checked = _check_files(activity, files)
    with _guarded_files(), transaction.atomic():
        save_versioned(activity, expected_version=version, fields=FIELDS)
        if participants is not None:
            activity.participants.set(participants)
        if contacts is not None:
            ActivityContact.objects.filter(activity=activity).exclude(person_id__in=contacts).delete()
            ActivityContact.objects.bulk_create(
                [ActivityContact(activity=activity, person_id=pk) for pk in contacts], ignore_conflicts=True
            )
        _store(actor, activity, checked)
        changes = diff(before, snapshot(activity, FIELDS))
        if changes or checked or participants is not None or contacts is not None:
            record_event(
                kind="activity.changed",
                workspace=actor.workspace,
                actor=actor.user,
                target=activity,
                changes=changes,
                data={"client": activity.client_id, "files": len(checked)},
            )
    return activity


@transaction.atomic
def activity_delete(actor: Membership, activity_id: int) -> None:
    activity = get_visible(actor, Activity, activity_id, for_write=True, action="delete")
    attachments = list(activity.attachments.all())
    record_event(
        kind="activity.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=activity,
        changes=diff(snapshot(activity, FIELDS), {}),
        data={"client": activity.client_id, "files": [a.name for a in attachments]},
    )
    activity.delete()  # the files go once this commits (signals.py)


@transaction.atomic
def attachment_delete(actor: Membership, attachment_id: int) -> None:
    attachment = get_visible(actor, Attachment.objects.select_related("activity"), attachment_id)
    # Removing a file changes its activity: the activity's change permission applies.
    get_visible(actor, Activity, attachment.activity_id, for_write=True)
    record_event(
        kind="activity.changed",
        workspace=actor.workspace,
        actor=actor.user,
        target=attachment.activity,
        data={"client": attachment.activity.client_id, "file_removed": attachment.name},
    )
    attachment.delete()
