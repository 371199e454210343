"""Audit log at scale: the administrator's audit page over 1,000,000 events.

Measures the page's two queries (first page of a filtered, newest-first list, and its
count) through the access mechanism (`events_visible_to`) and the ORM, against
hand-written SQL for the same rows.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from bench.common import measure, raw, report, scaled
from relata.core.models import Event, Membership, Team, User, Workspace
from relata.core.selectors.events import events_visible_to
from relata.core.services.workspaces import workspace_create

EVENTS = 1_000_000
MEMBERS = 200
KINDS = ["auth.login", "member.changed", "role.changed", "team.changed", "record.owner_changed", "auth.login_failed"]
SLUG = "bench-audit"


def build() -> Membership:
    existing = Workspace.objects.filter(slug=SLUG).first()
    if existing is not None and Event.objects.filter(workspace=existing).count() >= scaled(EVENTS):
        return Membership.objects.select_related("workspace", "role", "user").get(
            workspace=existing, user__email="admin@bench.test"
        )
    if existing is not None:  # left by a run at another scale: start again
        Event.objects.filter(workspace=existing)._raw_delete(using="default")
        Membership.objects.filter(workspace=existing).delete()
        existing.delete()
    admin = workspace_create(name="Bench audit", slug=SLUG, admin_email="admin@bench.test", admin_name="Bench")
    team = Team.objects.create(workspace=admin.workspace, name="Sales")
    users = [User(email=f"user{n}@bench.test", full_name=f"User {n}") for n in range(MEMBERS)]
    User.objects.bulk_create(users, ignore_conflicts=True)
    users = list(User.objects.filter(email__endswith="@bench.test").exclude(pk=admin.user_id))
    Membership.objects.bulk_create(
        [Membership(workspace=admin.workspace, user=u, role=admin.role, team=team) for u in users],
        ignore_conflicts=True,
    )
    rng = random.Random(7)  # noqa: S311
    now = timezone.now()
    total = scaled(EVENTS)
    print(f"  generating {total} events…", flush=True)
    batch: list[Event] = []
    with transaction.atomic():
        for n in range(total):
            user = users[rng.randrange(len(users))]
            batch.append(
                Event(
                    workspace=admin.workspace,
                    actor=user,
                    actor_label=user.email,
                    kind=KINDS[n % len(KINDS)],
                    occurred_at=now - dt.timedelta(minutes=n),
                    target_repr=f"Record {n}",
                    changes={},
                )
            )
            if len(batch) == 10_000:
                Event.objects.bulk_create(batch)
                batch = []
        Event.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_event" if connection.vendor == "postgresql" else "ANALYZE")
    return Membership.objects.select_related("workspace", "role", "user").get(pk=admin.pk)


def run() -> None:
    admin = build()
    ws = admin.workspace_id
    since = timezone.now() - dt.timedelta(days=90)

    def page() -> list[Event]:
        return list(
            events_visible_to(admin)
            .filter(kind="member.changed", occurred_at__gte=since)
            .order_by("-occurred_at", "-id")[:50]
        )

    def count() -> int:
        return events_visible_to(admin).filter(kind="member.changed", occurred_at__gte=since).count()

    page_sql = raw(
        "SELECT e.*, u.* FROM core_event e LEFT JOIN core_user u ON u.id = e.actor_id "
        "WHERE e.workspace_id = %s AND e.kind = %s AND e.occurred_at >= %s "
        "ORDER BY e.occurred_at DESC, e.id DESC LIMIT 50",
        [ws, "member.changed", since],
    )
    count_sql = raw(
        "SELECT COUNT(*) FROM core_event WHERE workspace_id = %s AND kind = %s AND occurred_at >= %s",
        [ws, "member.changed", since],
    )
    report("audit page: first 50 of one kind, last 90 days", measure(page), measure(page_sql))
    report("audit page: count of the same filter", measure(count), measure(count_sql))

    def latest() -> list[Event]:
        return list(events_visible_to(admin).order_by("-occurred_at", "-id")[:50])

    latest_sql = raw(
        "SELECT e.*, u.* FROM core_event e LEFT JOIN core_user u ON u.id = e.actor_id "
        "WHERE e.workspace_id = %s ORDER BY e.occurred_at DESC, e.id DESC LIMIT 50",
        [ws],
    )
    report("audit page: newest 50, no filter", measure(latest), measure(latest_sql))
