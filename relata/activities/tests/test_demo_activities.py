"""The demo workspace's activities and tasks (relata.activities.demo): what a visitor of
`manage.py demo` sees — two years of contacts with the demo clients on their cards, in
the clients' language, following the brick sale; managers whose "My tasks" has overdue,
today's and upcoming tasks; no burst of stale reminders when the demo starts — and that
running the step again changes nothing.

Each test builds the whole demo (clients and activities), so the checks are grouped."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Count
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from relata.activities import demo  # registers the demo step, as relata/activities/registrations.py does
from relata.activities.models import (
    DIRECTED_KINDS,
    SCHEDULED_KINDS,
    Activity,
    ActivityContact,
    Outcome,
    Task,
    TaskStatus,
    TaskType,
)
from relata.activities.recurrence import validate_rule
from relata.activities.richtext import sanitize_html
from relata.activities.selectors.tasks import bucket, tasks_visible_to, today_for
from relata.activities.services.common import member_sees_client
from relata.activities.services.reminders import reminders_deliver
from relata.clients import demo as clients_demo
from relata.clients.models import Client, Employment
from relata.core.demo import _DEMO_STEPS, create_demo_workspace
from relata.core.models import Membership, Workspace

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
MANAGERS = ["manager@demo.relata.test", "manager2@demo.relata.test"]


@pytest.fixture
def workspace(db) -> Workspace:
    return create_demo_workspace()


def member(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("workspace", "role", "user").get(workspace=workspace, user__email=email)


def test_the_step_runs_after_the_clients():
    assert (demo.ORDER, demo.activities_demo) in _DEMO_STEPS
    assert (20, clients_demo.clients_demo) in _DEMO_STEPS and demo.ORDER > 20


def test_two_years_of_contacts_following_the_sale_in_the_clients_language(workspace):
    now = timezone.now()
    activities = Activity.objects.filter(workspace=workspace)
    assert activities.count() > 3000
    # About two years of history, all of it about demo clients and by members.
    first = activities.order_by("occurred_at").first()
    assert first is not None and dt.timedelta(days=600) < now - first.occurred_at < dt.timedelta(days=760)
    assert not activities.exclude(client__workspace=workspace).exists()
    members = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
    assert set(activities.values_list("author_id", flat=True)) <= members
    assert len(set(activities.values_list("author_id", flat=True))) >= 4  # colleagues stand in
    # Nothing but meetings and visits in the future; some of those are planned.
    assert not activities.filter(occurred_at__gt=now).exclude(kind__in=SCHEDULED_KINDS).exists()
    assert activities.filter(occurred_at__gt=now).count() >= 10
    # Every kind of contact a brick supplier has, consistent with the services' rules.
    kinds = Counter(activities.values_list("kind", flat=True))
    assert set(kinds) >= {"call", "email", "meeting", "visit", "note", "document_sent", "document_received"}
    assert not activities.exclude(kind__in=DIRECTED_KINDS).exclude(direction="").exists()
    assert not activities.filter(kind__in=DIRECTED_KINDS, direction="").exists()
    assert {"in", "out"} <= set(activities.filter(kind="call").values_list("direction", flat=True))
    calls = activities.filter(kind="call")
    assert calls.exclude(outcome=None).count() == calls.count()
    assert calls.filter(outcome__key="no_answer", duration=None).exists() and calls.filter(duration__gt=60).exists()
    outcomes = set(Outcome.objects.filter(workspace=workspace).values_list("pk", flat=True))
    assert set(activities.exclude(outcome=None).values_list("outcome_id", flat=True)) <= outcomes
    documents = activities.filter(kind="document_sent")
    assert documents.filter(subject__startswith="Прайс-лист").exists()
    assert documents.filter(subject__startswith="Коммерческое предложение", amount__gt=0).exists()
    assert documents.filter(subject__startswith="Договор поставки", amount__gt=0).exists()
    assert activities.filter(kind="document_received", amount__gt=0).exists()
    assert not activities.filter(amount=None).exclude(currency="").exists()
    assert set(activities.exclude(amount=None).values_list("currency", flat=True)) == {"RUB"}
    # Letters of one conversation share their thread, both ways.
    threads = (
        activities.exclude(email_thread="")
        .values("email_thread")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "email_thread")
    )
    thread = threads.first()
    assert thread is not None
    assert set(activities.filter(email_thread=thread["email_thread"]).values_list("direction", flat=True)) == {
        "in",
        "out",
    }
    # Simple formatting only, as the services store it.
    notes = list(activities.filter(kind__in=["note", "email", "meeting"]).exclude(body="")[:300])
    assert notes and all(a.body == sanitize_html(a.body) for a in notes)
    assert activities.filter(body__contains="<ul>").exists()
    # Denser for active clients.
    by_status = Counter(activities.values_list("client__status__key", flat=True))
    clients = Counter(Client.objects.filter(workspace=workspace).values_list("status__key", flat=True))
    density = {key: by_status[key] / clients[key] for key in clients}
    assert density["regular_client"] > density["client"] > density["considering"] > density["cold"]
    # Never before the client came.
    came = dict(Client.objects.filter(workspace=workspace).values_list("pk", "created_at"))
    assert all(at >= came[client] for client, at in activities.values_list("client_id", "occurred_at"))
    # English-speaking clients in English, the others in Russian.
    english = [c for c in Client.objects.filter(workspace=workspace, kind="company") if c.name.isascii()]
    subjects = list(activities.filter(client__in=english).values_list("subject", flat=True))
    assert subjects and not any(CYRILLIC.search(s) for s in subjects)
    russian = list(activities.filter(client__kind="company").exclude(client__in=english)[:500])
    assert all(CYRILLIC.search(a.subject) for a in russian)
    # Contact persons on company activities are the company's own people.
    links = ActivityContact.objects.filter(activity__workspace=workspace).select_related("activity")
    assert links.count() > 300
    jobs = set(Employment.objects.filter(workspace=workspace).values_list("company_id", "person_id"))
    assert all((link.activity.client_id, link.person_id) in jobs for link in links)


def test_the_client_card_shows_the_history(workspace):
    manager = member(workspace, "manager@demo.relata.test")
    client = (
        Client.objects.filter(workspace=workspace, owner=manager.user, status__key="regular_client", kind="company")
        .annotate(n=Count("activities"))
        .filter(n__gte=20)
        .order_by("pk")
        .first()
    )
    assert client is not None
    latest = Activity.objects.filter(client=client, occurred_at__lte=timezone.now()).order_by("-occurred_at").first()
    assert latest is not None
    browser = Browser()
    browser.force_login(manager.user)
    response = browser.get(reverse("clients:detail", args=[client.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-timeline-kind="activities:' in html
    assert escape(latest.subject) in html
    other = Browser()
    other.force_login(member(workspace, "manager2@demo.relata.test").user)
    assert other.get(reverse("clients:detail", args=[client.pk])).status_code == 404


def test_my_tasks_reminders_and_a_second_run(workspace):
    now = timezone.now()
    tasks = Task.objects.filter(workspace=workspace)
    for email in MANAGERS:
        manager = member(workspace, email)
        mine = tasks_visible_to(manager).filter(assignee_id=manager.user_id)
        day = today_for(manager)
        sizes = {name: bucket(mine, name, day, now).count() for name in ("overdue", "today", "upcoming")}
        assert sizes["overdue"] >= 3 and sizes["upcoming"] >= 10, (email, sizes)
        if day.end - now > dt.timedelta(minutes=15):  # minutes before midnight, "today" has passed
            assert sizes["today"] >= 1, (email, sizes)
        assert mine.filter(status="done").count() > 100
        browser = Browser()
        browser.force_login(manager.user)
        page = browser.get(reverse("activities:tasks"))
        assert page.status_code == 200
        assert page.context["counts"]["overdue"] >= 3 and page.context["counts"]["upcoming"] >= 10
    # Finished tasks carry their result, who finished them and when (their timeline time).
    finished = tasks.exclude(status=TaskStatus.OPEN)
    assert finished.filter(status=TaskStatus.CANCELLED).exists()
    assert not finished.filter(completed_at=None).exists() and not finished.filter(completed_by=None).exists()
    assert not finished.filter(result="").exists()
    assert all(t.timeline_at == t.completed_at and t.completed_at <= now for t in finished)
    assert not tasks.filter(status=TaskStatus.OPEN).exclude(completed_at=None).exists()
    assert set(tasks.values_list("type__key", flat=True)) == set(
        TaskType.objects.filter(workspace=workspace).values_list("key", flat=True)
    )
    # Only reminders still ahead are pending: starting the demo delivers none.
    assert not tasks.filter(status="open", reminded_at=None, remind_at__lte=now).exists()
    assert tasks.filter(status="open", reminded_at=None, remind_at__gt=now).count() >= 5
    assert all(t.remind_at == t.due_at - dt.timedelta(minutes=t.remind_before) for t in tasks.exclude(remind_at=None))
    assert reminders_deliver() == 0
    # A few recurring series: past occurrences done, the current one open.
    series = tasks.exclude(recurrence="").values("series_id").annotate(n=Count("pk"))
    assert len(series) >= 2
    for entry in series:
        first = tasks.get(pk=entry["series_id"])
        assert first.series_id == first.pk and first.occurrence == 1
        assert validate_rule(first.recurrence, first.due_at, workspace.time_zone) == first.recurrence
        occurrences = tasks.filter(series_id=first.pk)
        assert occurrences.filter(status=TaskStatus.OPEN).count() == 1
        assert sorted(occurrences.values_list("occurrence", flat=True)) == list(range(1, entry["n"] + 1))
    # A task about a client goes to someone who can see the client.
    members = {m.user_id: m for m in Membership.objects.filter(workspace=workspace).select_related("role", "workspace")}
    for task in tasks.filter(status=TaskStatus.OPEN).exclude(client=None).select_related("client")[:80]:
        assert member_sees_client(members[task.assignee_id], task.client)
    # The demo is made once: running the step again changes nothing.
    before = (Activity.objects.count(), Task.objects.count(), ActivityContact.objects.count())
    demo.activities_demo(workspace)
    assert create_demo_workspace().pk == workspace.pk
    assert (Activity.objects.count(), Task.objects.count(), ActivityContact.objects.count()) == before
