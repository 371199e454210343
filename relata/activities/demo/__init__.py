"""Activities and tasks of the demo workspace: two years of contacts with the demo
clients (relata.clients.demo) as the sales team of "ООО «Кирпичный двор»" logged them —
calls with their outcomes, e-mail threads, meetings and site visits, notes, price lists,
offers, contracts, invoices and payments — denser for active clients, in English for
English-speaking clients; and the tasks around them: mostly done with their results,
the open ones spread so that every manager's "My tasks" has overdue, today's and
upcoming tasks, a few recurring, some with reminders (only those still ahead pending:
starting the demo does not fire hundreds of reminders).

Drawn from one seed (`drawing`, `story`, `routine`), written in bulk (`writing`), dated
when things happened. The step runs after the clients' step and registers itself when
this package is imported (from relata/activities/registrations.py). Idempotent: a
workspace that already has activities is left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from relata.activities.demo.drawing import Contact, DemoClient
from relata.activities.demo.story import Story
from relata.activities.demo.writing import write_activities, write_tasks
from relata.activities.models import Activity, Outcome, TaskType
from relata.clients.models import Client, ClientKind, Employment
from relata.core.demo import register_demo_step
from relata.core.models import Membership, Workspace

ORDER = 30  # after the clients (20)
# Demo users by the part they play in the story (relata.core.demo.DEMO_USERS).
ROLES = {
    "admin": "admin@demo.relata.test",
    "head": "head@demo.relata.test",
    "manager": "manager@demo.relata.test",
    "manager2": "manager2@demo.relata.test",
    "marketer": "marketer@demo.relata.test",
}


def _greeting(person: Client) -> Contact:
    if person.name.isascii():
        return Contact(person.pk, person.first_name or person.name, person.name)
    first, middle, last = person.first_name, person.middle_name, person.last_name
    greeting = f"{first} {middle}".strip() or person.name
    return Contact(person.pk, greeting, f"{first} {last}".strip() or person.name)


def demo_clients(workspace: Workspace) -> list[DemoClient]:
    """The workspace's clients as the story needs them, in a stable order."""
    ws = workspace.pk
    clients = list(Client.objects.filter(workspace_id=ws).select_related("status").order_by("pk"))
    people = {c.pk: c for c in clients if c.kind == ClientKind.PERSON}
    staff: dict[int, list[Contact]] = {}
    employed: set[int] = set()
    for job in Employment.objects.filter(workspace_id=ws).order_by("-is_primary", "pk"):
        if job.person_id in people:
            staff.setdefault(job.company_id, []).append(_greeting(people[job.person_id]))
            employed.add(job.person_id)
    return [
        DemoClient(
            pk=c.pk,
            kind=c.kind,
            name=c.name,
            status=c.status.key or "considering",
            owner_id=c.owner_id,
            created_at=c.created_at,
            source=c.source,
            english=c.name.isascii(),
            reachable=bool(c.primary_phone or c.primary_email),
            staff=staff.get(c.pk, []),
            employed=c.pk in employed,
            self_contact=_greeting(c) if c.kind == ClientKind.PERSON else None,
        )
        for c in clients
    ]


@transaction.atomic
def activities_demo(workspace: Workspace) -> None:
    """Fill the demo workspace's activities and tasks. Idempotent: a workspace that
    already has activities is left as it is; one without clients gets nothing."""
    ws = workspace.pk
    if Activity.objects.filter(workspace_id=ws).exists():
        return
    clients = demo_clients(workspace)
    if not clients:
        return
    members = list(Membership.objects.filter(workspace_id=ws).select_related("user", "role"))
    by_email = {m.user.email: m.user_id for m in members}
    admin = next(m.user_id for m in members if m.role.key == "administrator")
    roles = {key: by_email.get(email, admin) for key, email in ROLES.items()}
    story = Story(
        workspace_id=ws,
        now=timezone.now(),
        time_zone=workspace.time_zone,
        members=roles,
        names={m.user_id: m.user.full_name or m.user.email for m in members},
        outcomes=dict(Outcome.objects.filter(workspace_id=ws).exclude(key="").values_list("key", "pk")),
        task_types=dict(TaskType.objects.filter(workspace_id=ws).exclude(key="").values_list("key", "pk")),
    )
    story.everything(clients)
    write_activities(story)
    write_tasks(story)


register_demo_step(activities_demo, order=ORDER)
