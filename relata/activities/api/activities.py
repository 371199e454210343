"""Activities, their attachments and the client timeline through the API."""

import datetime as dt
import decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from relata.activities.models import DIRECTED_KINDS, Activity, Attachment
from relata.activities.selectors.activities import activities_visible_to, activity_get, attachment_get, with_details
from relata.activities.services.activities import activity_delete, activity_log, activity_update, attachment_delete
from relata.activities.views.activities import download
from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.selectors.clients import client_get
from relata.core.access import require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.timeline import Cursor, TimelineItem, timeline_page

router = Router(tags=["activities"])


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str

    @staticmethod
    def resolve_url(attachment: Attachment) -> str:
        return f"/api/v1/attachments/{attachment.pk}/file"


class ActivityOut(Schema):
    id: int
    kind: str
    direction: str
    occurred_at: dt.datetime
    duration: int | None = Field(None, description="Seconds.")
    recording_url: str
    email_thread: str
    subject: str
    body: str = Field(description="Sanitised HTML.")
    outcome_id: int | None
    outcome_note: str
    amount: decimal.Decimal | None
    currency: str
    author_id: int
    client_id: int
    participant_ids: list[int]
    contact_ids: list[int]
    attachments: list[AttachmentOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_participant_ids(activity: Activity) -> list[int]:
        return [user.pk for user in activity.participants.all()]

    @staticmethod
    def resolve_contact_ids(activity: Activity) -> list[int]:
        return [link.person_id for link in activity.contact_links.all()]

    @staticmethod
    def resolve_attachments(activity: Activity) -> list[Attachment]:
        return list(activity.attachments.all())


class ActivityFields(Schema):
    kind: str | None = Field(
        None, description="call, email, meeting, visit, letter, fax, message, note, document_sent or document_received"
    )
    direction: str | None = Field(None, description=f"in or out, for {', '.join(sorted(DIRECTED_KINDS))}")
    occurred_at: dt.datetime | None = Field(None, description="Default: now. Only meetings and visits may be ahead.")
    duration: int | None = Field(None, description="Seconds, at most 24 hours.")
    recording_url: str | None = None
    email_thread: str | None = None
    subject: str | None = Field(None, description="The purpose of the contact.")
    body: str | None = Field(None, description="HTML; sanitised on save (no scripts, styles or images).")
    outcome_id: int | None = Field(None, description="The client's reaction, from /api/v1/outcomes.")
    outcome_note: str | None = None
    amount: decimal.Decimal | None = None
    currency: str | None = Field(None, description="Three letters; the workspace's currency by default.")


class ActivityIn(ActivityFields):
    client_id: int
    kind: str  # type: ignore[assignment]
    participant_ids: list[int] = Field(default_factory=list, description="Colleagues taking part.")
    contact_ids: list[int] = Field(default_factory=list, description="Contact persons (people) taking part.")


class ActivityPatch(ActivityFields):
    version: int = Field(..., ge=1)
    participant_ids: list[int] | None = None
    contact_ids: list[int] | None = None


class ActivityFilter(Schema):
    client_id: int | None = None
    kind: str | None = None
    author_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _values(payload: ActivityFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    for name in ("version", "client_id", "participant_ids", "contact_ids"):
        data.pop(name, None)
    if "outcome_id" in data:
        data["outcome"] = data.pop("outcome_id")
    return data


@router.get("/activities", response=list[ActivityOut], summary="Activities you may see, newest first")
@paginate(PagePagination)
def activity_list(request: HttpRequest, filters: Query[ActivityFilter]) -> QuerySet[Activity]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    queryset = activities_visible_to(actor)
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.author_id is not None:
        queryset = queryset.filter(author_id=filters.author_id)
    if filters.since is not None:
        queryset = queryset.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        queryset = queryset.filter(occurred_at__lt=filters.until)
    return with_details(queryset.order_by("-occurred_at", "-id"))


@router.post("/activities", response={201: ActivityOut}, summary="Log a contact with a client")
def activity_create(request: HttpRequest, payload: ActivityIn) -> Status[Any]:
    actor = actor_of(request)
    activity = activity_log(
        actor,
        client_id=payload.client_id,
        values=_values(payload),
        participant_ids=payload.participant_ids,
        contact_ids=payload.contact_ids,
    )
    return Status(201, activity_get(actor, activity.pk))


@router.get("/activities/{activity_id}", response=ActivityOut, summary="One activity")
def activity_detail(request: HttpRequest, activity_id: int) -> Activity:
    return activity_get(actor_of(request), activity_id)


@router.patch("/activities/{activity_id}", response=ActivityOut, summary="Change an activity (optimistic locking)")
def activity_change(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Activity:
    actor = actor_of(request)
    activity_update(
        actor,
        activity_id,
        version=payload.version,
        values=_values(payload),
        participant_ids=payload.participant_ids,
        contact_ids=payload.contact_ids,
    )
    return activity_get(actor, activity_id)


@router.delete("/activities/{activity_id}", response={204: None}, summary="Delete an activity with its files")
def activity_remove(request: HttpRequest, activity_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, "activities", "delete")
    activity_delete(actor, activity_get(actor, activity_id).pk)
    return Status(204, None)


@router.post(
    "/activities/{activity_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files to an activity (multipart, field “files”)",
)
def attachment_upload(request: HttpRequest, activity_id: int, files: File[list[UploadedFile]]) -> Status[Any]:
    actor = actor_of(request)
    activity = activity_get(actor, activity_id)
    before = {a.pk for a in activity.attachments.all()}
    activity_update(actor, activity.pk, version=activity.version, values={}, files=files)
    added = [a for a in activity_get(actor, activity.pk).attachments.all() if a.pk not in before]
    return Status(201, added)


@router.get("/attachments/{attachment_id}/file", summary="Download an attachment", response={200: None})
def attachment_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    actor = actor_of(request)
    require(actor, "activities", "view")
    attachment = attachment_get(actor, attachment_id)
    record_event(
        kind="attachment.downloaded",
        workspace=actor.workspace,
        actor=actor.user,
        target=attachment.activity,
        data={"file": attachment.name, "attachment": attachment.pk},
    )
    return download(attachment)


@router.delete("/attachments/{attachment_id}", response={204: None}, summary="Remove an attachment")
def attachment_remove(request: HttpRequest, attachment_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, "activities", "change")
    attachment_delete(actor, attachment_get(actor, attachment_id).pk)
    return Status(204, None)


class TimelineEntryOut(Schema):
    at: dt.datetime
    kind: str = Field(description="activities:<kind>, tasks or changes")
    source: str = Field(description="activity, task or change")
    id: int
    title: str
    author_id: int | None
    url: str
    data: dict[str, Any]


class TimelineOut(Schema):
    items: list[TimelineEntryOut]
    next_cursor: str | None = Field(None, description="Pass as `before` for the next (older) entries.")


def _entry(item: TimelineItem) -> TimelineEntryOut:
    obj = item.obj
    if item.kind.startswith("activities"):
        return TimelineEntryOut(
            at=item.at,
            kind=item.kind,
            source="activity",
            id=obj.pk,
            title=obj.subject or obj.get_kind_display(),
            author_id=obj.author_id,
            url=f"/api/v1/activities/{obj.pk}",
            data={"kind": obj.kind, "direction": obj.direction, "outcome_id": obj.outcome_id},
        )
    if item.kind.startswith("tasks"):
        return TimelineEntryOut(
            at=item.at,
            kind=item.kind,
            source="task",
            id=obj.pk,
            title=obj.title,
            author_id=obj.completed_by_id or obj.created_by_id,
            url=f"/api/v1/tasks/{obj.pk}",
            data={"status": obj.status, "due_at": obj.due_at.isoformat(), "assignee_id": obj.assignee_id},
        )
    event = obj.event
    return TimelineEntryOut(
        at=item.at,
        kind=item.kind,
        source="change",
        id=event.pk,
        title=obj.label,
        author_id=event.actor_id,
        url="",
        data={"event": event.kind, "changes": [{"field": f, "old": o, "new": n} for f, o, n in obj.changes]},
    )


@router.get(
    "/clients/{client_id}/timeline",
    response=TimelineOut,
    summary="A client's timeline: activities, tasks and changes, newest first",
)
def client_timeline(
    request: HttpRequest,
    client_id: int,
    before: str | None = None,
    kind: str | None = None,
    author_id: int | None = None,
    limit: int = 25,
) -> TimelineOut:
    actor = actor_of(request)
    require(actor, "clients", "view")
    client = client_get(actor, client_id)
    cursor = Cursor.decode(before) if before else None
    if before and cursor is None:
        raise invalid("before", "Pass the next_cursor of the previous page.")
    page = timeline_page(actor, client, before=cursor, kind=kind or None, author_id=author_id, limit=limit)
    return TimelineOut(
        items=[_entry(item) for item in page.items],
        next_cursor=page.next_cursor.encode() if page.next_cursor else None,
    )
