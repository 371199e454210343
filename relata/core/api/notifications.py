"""The member's own notifications (task reminders…) through the API."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.models import Notification
from relata.core.selectors.notifications import notifications_of
from relata.core.services.notifications import notifications_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="Which to mark read; omitted: all of them.")


class ReadOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut], summary="Your notifications, newest first")
@paginate(PagePagination)
def notification_list(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    queryset = notifications_of(actor_of(request))
    return queryset.filter(read_at=None) if unread else queryset


@router.post("/notifications/read", response=ReadOut, summary="Mark your notifications read")
def notification_read(request: HttpRequest, payload: ReadIn) -> ReadOut:
    return ReadOut(marked=notifications_mark_read(actor_of(request), payload.ids))
