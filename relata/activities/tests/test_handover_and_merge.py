"""Activities and tasks stay with their clients through a hand-over and a merge."""

from __future__ import annotations

from relata.activities.models import Activity, ActivityContact, Task, TaskStatus
from relata.activities.services.activities import activity_log
from relata.activities.services.tasks import task_complete, task_create
from relata.activities.tests.helpers import company, person, soon, task_type
from relata.clients.services.merge import client_merge
from relata.core import jobs
from relata.core.models import JobState
from relata.core.services.handover import handover_start


def test_a_hand_over_moves_open_tasks_with_their_clients(personas):
    m1 = personas.manager1
    tt = task_type(m1).pk
    clients = [company(m1, f"Клиент {n}") for n in range(6)]
    open_tasks = [task_create(m1, values={"type": tt, "due_at": soon(), "client": c.pk}) for c in clients]
    done = task_create(m1, values={"type": tt, "due_at": soon(), "client": clients[0].pk})
    task_complete(m1, done.pk)
    personal = task_create(m1, values={"type": tt, "due_at": soon(), "title": "Личное"})
    job = handover_start(
        personas.admin, from_user_id=m1.user_id, to_user_ids=[personas.head.user_id, personas.admin.user_id]
    )
    assert jobs.execute(job.pk) == JobState.SUCCEEDED
    for client, task in zip(clients, open_tasks, strict=True):
        client.refresh_from_db()
        task.refresh_from_db()
        assert task.assignee_id == client.owner_id != m1.user_id  # the task went where its client went
    done.refresh_from_db()
    assert done.assignee_id == m1.user_id  # history keeps who did it
    personal.refresh_from_db()
    assert personal.assignee_id != m1.user_id and personal.status == TaskStatus.OPEN
    job.refresh_from_db()
    assert job.result["moved"]["activities.task"] == 7


def test_a_merge_keeps_every_activity_task_and_contact_of_both(personas):
    m1 = personas.manager1
    survivor = company(m1, "ООО «Дубль»")
    absorbed = company(m1, "Дубль ООО")
    activity_log(m1, client_id=survivor.pk, values={"kind": "call", "subject": "Звонок A"})
    activity_log(m1, client_id=absorbed.pk, values={"kind": "call", "subject": "Звонок B"})
    task_create(m1, values={"type": task_type(m1).pk, "due_at": soon(), "client": absorbed.pk})
    # Two records of one person, both named on the same meeting and on another one.
    anna = person(m1, "Иванова", survivor.pk)
    anna_again = person(m1, "Иванова", absorbed.pk)
    shared = activity_log(m1, client_id=survivor.pk, values={"kind": "note"}, contact_ids=[anna.pk, anna_again.pk])
    only_second = activity_log(m1, client_id=survivor.pk, values={"kind": "note"}, contact_ids=[anna_again.pk])
    client_merge(personas.head, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version)
    assert set(Activity.objects.filter(client=survivor).values_list("subject", flat=True)) >= {"Звонок A", "Звонок B"}
    assert Task.objects.get().client_id == survivor.pk
    anna.refresh_from_db()
    client_merge(personas.head, survivor_id=anna.pk, absorbed_id=anna_again.pk, version=anna.version)
    assert list(ActivityContact.objects.filter(activity=shared).values_list("person_id", flat=True)) == [anna.pk]
    assert list(ActivityContact.objects.filter(activity=only_second).values_list("person_id", flat=True)) == [anna.pk]
