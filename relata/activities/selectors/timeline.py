"""Activities and tasks as sources of a client's timeline (core.timeline)."""

from __future__ import annotations

from django.db.models import Model, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.activities.models import Activity, ActivityKind, Task
from relata.activities.selectors.activities import with_details
from relata.core.access import scope_queryset
from relata.core.models import Membership
from relata.core.timeline import Cursor, TimelineItem, keyset


class ClientActivities:
    key = "activities"
    rank = 10

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        if not actor.can("activities", "view"):
            return []
        kinds: list[tuple[str, str | Promise]] = [(self.key, _("All activities"))]
        return kinds + [(f"{self.key}:{value}", label) for value, label in ActivityKind.choices]

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        # The record is known: no join of the client, only what an entry shows.
        queryset = scope_queryset(actor, Activity.objects.filter(client_id=record.pk)).select_related(
            "author", "outcome"
        )
        if kind and ":" in kind:
            queryset = queryset.filter(kind=kind.split(":", 1)[1])
        if author_id is not None:
            queryset = queryset.filter(author_id=author_id)
        rows = with_details(keyset(queryset, "occurred_at", self.rank, before))[:limit]
        return [
            TimelineItem(
                a.occurred_at, self.rank, a.pk, f"{self.key}:{a.kind}", "activities/_timeline_activity.html", a
            )
            for a in rows
        ]


class ClientTasks:
    key = "tasks"
    rank = 20

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        if not actor.can("activities", "view"):
            return []
        return [(self.key, _("Tasks")), (f"{self.key}:open", _("Open tasks"))]

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, Task.objects.filter(client_id=record.pk)).select_related("type", "assignee")
        if kind == f"{self.key}:open":
            queryset = queryset.filter(status="open")
        if author_id is not None:
            queryset = queryset.filter(Q(created_by_id=author_id) | Q(completed_by_id=author_id))
        rows = keyset(queryset.select_related("completed_by", "created_by"), "timeline_at", self.rank, before)[:limit]
        return [
            TimelineItem(t.timeline_at, self.rank, t.pk, self.key, "activities/_timeline_task.html", t) for t in rows
        ]
