"""Mass planning: one task for every client of a selection, a filtered list or a segment,
spread over managers and days as a resumable job; who may plan for whom; what is
refused (and that a refusal writes nothing)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from relata.activities.models import Task, TaskPlan, TaskType
from relata.activities.services.planning import nth_day, plan_start
from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.clients.services.segments import segment_create
from relata.core import jobs
from relata.core.models import Event, Job, JobState

TZ = "Europe/Moscow"


def run_jobs() -> None:
    for job in Job.objects.filter(state=JobState.PENDING):
        jobs.execute(job.pk)


def today() -> dt.date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(TZ)).date()


def next_weekday(weekday: int) -> dt.date:
    """The next such day after today (Monday is 0)."""
    day = today() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(TZ))


def call_back(personas) -> TaskType:
    return TaskType.objects.get(workspace=personas.admin.workspace, key="call_back")


def companies(member, count: int, prefix: str = "Клиент", city: str = "Москва") -> list[Client]:
    return [
        client_create(member, kind="company", values={"name": f"{prefix} {n}", "addresses": [{"city": city}]})
        for n in range(count)
    ]


def values(personas, **extra) -> dict:
    return {
        "title": "Предложить скидку",
        "type": call_back(personas).pk,
        "priority": "high",
        "remind_before": 15,
        "start_date": next_weekday(4).isoformat(),
        "per_day": 2,
        "weekdays_only": True,
        "time": "09:00",
        "interval": 30,
        **extra,
    }


def nothing_written() -> bool:
    return not TaskPlan.objects.exists() and not Job.objects.exists() and not Task.objects.exists()


def test_seven_clients_over_two_managers_two_a_day_on_weekdays_from_a_friday(personas):
    clients = companies(personas.manager1, 7)
    friday = next_weekday(4)
    monday = friday + dt.timedelta(days=3)
    managers = sorted([personas.admin.user_id, personas.head.user_id])
    job = plan_start(
        personas.admin,
        ids=[c.pk for c in clients],
        values=values(personas, managers=[personas.head.user_id, personas.admin.user_id]),
    )
    assert job.kind == "activities.mass_plan" and job.progress_total == 7
    run_jobs()
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    plan = TaskPlan.objects.get()
    assert plan.job_id == job.pk and plan.created_count == 7
    assert job.result == {"plan": plan.pk, "created": 7, "skipped": 0}
    got = {t.client_id: (t.assignee_id, t.due_at) for t in Task.objects.filter(plan=plan)}
    first, second = managers
    assert got == {
        clients[0].pk: (first, at(friday, 9)),
        clients[1].pk: (second, at(friday, 9)),
        clients[2].pk: (first, at(friday, 9, 30)),
        clients[3].pk: (second, at(friday, 9, 30)),
        clients[4].pk: (first, at(monday, 9)),
        clients[5].pk: (second, at(monday, 9)),
        clients[6].pk: (first, at(monday, 9, 30)),
    }
    task = Task.objects.filter(plan=plan).first()
    assert (task.title, task.priority, task.remind_before, task.created_by_id) == (
        "Предложить скидку",
        "high",
        15,
        personas.admin.user_id,
    )
    assert task.remind_at == task.due_at - dt.timedelta(minutes=15)
    assert Event.objects.get(kind="task_plan.finished").data["created"] == 7


def test_owner_mode_gives_each_client_a_task_of_its_owner(personas):
    mine = companies(personas.manager1, 2, "Северный")
    theirs = companies(personas.manager2, 1, "Южный")
    saturday = next_weekday(5)
    plan_start(
        personas.head,
        kind="company",
        query="q=ный",
        values=values(personas, start_date=saturday.isoformat(), per_day=1, weekdays_only=False),
    )
    run_jobs()
    got = {t.client_id: (t.assignee_id, t.due_at) for t in Task.objects.all()}
    sunday = saturday + dt.timedelta(days=1)
    assert got == {
        mine[0].pk: (personas.manager1.user_id, at(saturday, 9)),
        mine[1].pk: (personas.manager1.user_id, at(sunday, 9)),
        theirs[0].pk: (personas.manager2.user_id, at(saturday, 9)),
    }


def test_a_manager_plans_over_their_own_clients_but_not_for_colleagues(personas):
    mine = companies(personas.manager1, 3)
    companies(personas.manager2, 2, "Чужой")
    with pytest.raises(PermissionDenied):
        plan_start(personas.manager1, kind="company", values=values(personas, managers=[personas.manager2.user_id]))
    assert nothing_written()
    # Owner mode over the whole list: only their own clients are in it.
    job = plan_start(personas.manager1, kind="company", values=values(personas))
    assert job.progress_total == 3
    run_jobs()
    assert set(Task.objects.values_list("client_id", "assignee_id")) == {
        (c.pk, personas.manager1.user_id) for c in mine
    }
    # A head of sales may plan for the team's managers.
    plan_start(personas.head, ids=[mine[0].pk], values=values(personas, managers=[personas.manager1.user_id]))


def test_a_manager_who_cannot_see_a_client_is_skipped(personas):
    clients = companies(personas.manager1, 2)
    plan_start(
        personas.admin, ids=[c.pk for c in clients], values=values(personas, managers=[personas.manager2.user_id])
    )
    run_jobs()
    job = Job.objects.get()
    assert job.state == JobState.SUCCEEDED and job.result["created"] == 0 and job.result["skipped"] == 2
    assert not Task.objects.exists()


def test_a_segment_plan_and_a_resumed_job_make_no_duplicates(personas):
    clients = companies(personas.manager1, 5, "Тульский", "Тула")
    companies(personas.manager1, 2, "Казанский", "Казань")
    segment = segment_create(
        personas.admin,
        name="Тула",
        entity="company",
        definition={"conditions": [{"field": "city", "op": "eq", "value": "Тула"}]},
    )
    job = plan_start(
        personas.admin,
        kind="company",
        query=f"segment={segment.pk}",
        values=values(personas, managers=[personas.head.user_id]),
    )
    run_jobs()
    before = {t.client_id: t.due_at for t in Task.objects.all()}
    assert set(before) == {c.pk for c in clients}
    # The worker died after the first three clients: the job is run again.
    Task.objects.filter(client__in=clients[3:]).delete()
    Job.objects.filter(pk=job.pk).update(state=JobState.PENDING)
    jobs.execute(job.pk)
    # And once more, as if a second worker picked it up.
    Job.objects.filter(pk=job.pk).update(state=JobState.PENDING)
    jobs.execute(job.pk)
    after = {t.client_id: t.due_at for t in Task.objects.all()}
    assert after == before and Task.objects.count() == 5
    # A finished job is not run again.
    assert jobs.execute(job.pk) is None
    assert Task.objects.count() == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_date": "2001-01-01"}, "start_date"),
        ({"per_day": 0}, "per_day"),
        ({"per_day": "many"}, "per_day"),
        ({"type": 999_999}, "type"),
        ({"time": "9 o'clock"}, "time"),
        ({"time": "23:00", "interval": 60}, "interval"),
        ({"remind_before": "soon"}, "remind_before"),
        ({"priority": "whenever"}, "priority"),
        ({"managers": [999_999]}, "managers"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_written(personas, change, field):
    clients = companies(personas.manager1, 2)
    with pytest.raises(ValidationError) as error:
        plan_start(personas.admin, ids=[c.pk for c in clients], values=values(personas, **change))
    assert field in error.value.message_dict, error.value.message_dict
    assert nothing_written()


def test_no_clients_is_refused(personas):
    companies(personas.manager2, 2)
    with pytest.raises(ValidationError) as error:
        plan_start(personas.manager1, kind="company", values=values(personas))
    assert "No client you can see matches." in error.value.messages
    with pytest.raises(ValidationError):
        plan_start(personas.admin, kind="nonsense", values=values(personas))
    with pytest.raises(ValidationError):
        plan_start(personas.admin, values=values(personas))
    assert nothing_written()


def test_working_days_skip_weekends():
    friday = dt.date(2030, 3, 1)  # a Friday
    assert [nth_day(friday, n, True) for n in range(7)] == [dt.date(2030, 3, d) for d in (1, 4, 5, 6, 7, 8, 11)]
    assert nth_day(dt.date(2030, 3, 2), 0, True) == dt.date(2030, 3, 4)  # a Saturday start: Monday
    assert nth_day(friday, 3, False) == dt.date(2030, 3, 4)


# --- The page -------------------------------------------------------------------------


def form(personas, **extra) -> dict:
    data = {
        "step": "plan",
        "title": "Позвонить",
        "type": call_back(personas).pk,
        "priority": "normal",
        "description": "",
        "remind_before": "",
        "start_date": next_weekday(4).isoformat(),
        "per_day": "2",
        "weekdays_only": "on",
        "time": "09:00",
        "interval": "30",
        **extra,
    }
    return data


def test_the_page_counts_the_segments_clients_and_starts_the_job(personas, client_as):
    companies(personas.manager1, 3, "Тульский", "Тула")
    companies(personas.manager2, 1, "Тульский южный", "Тула")
    segment = segment_create(
        personas.admin,
        name="Тула",
        entity="company",
        definition={"conditions": [{"field": "city", "op": "eq", "value": "Тула"}]},
    )
    client = client_as(personas.manager1)
    page = client.get("/activities/plan/", {"kind": "company", "segment": segment.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 clients of the segment “Тула”" in body  # within the manager's scope
    assert 'data-testid="plan-own"' in body and 'name="managers"' not in body  # no assign permission
    assert f'name="query" value="segment={segment.pk}"' in body
    # The list's own filters work the same way.
    filtered = client.get("/activities/plan/", {"kind": "company", "cond": 'city|eq|"Тула"', "q": "Тульский"})
    assert "3 clients matching the list" in filtered.content.decode()
    response = client.post("/activities/plan/", form(personas, kind="company", query=f"segment={segment.pk}"))
    job = Job.objects.get(kind="activities.mass_plan")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    assert Task.objects.filter(assignee=personas.manager1.user).count() == 3


def test_the_list_bulk_bar_posts_a_selection_or_the_whole_filtered_list(personas, client_as):
    clients = companies(personas.manager1, 4)
    client = client_as(personas.manager1)
    listing = client.get("/clients/companies/").content.decode()
    assert 'data-testid="bulk-plan"' in listing and 'formaction="/activities/plan/?kind=company"' in listing
    picked = client.post(
        "/activities/plan/?kind=company", {"ids": [clients[0].pk, clients[1].pk], "all": "", "query": "sort=name"}
    )
    body = picked.content.decode()
    assert picked.status_code == 200 and "2 selected clients" in body
    assert f'name="ids" value="{clients[0].pk}"' in body
    everything = client.post("/activities/plan/?kind=company", {"all": "1", "query": "q=Клиент&sort=name"})
    assert "4 clients matching the list" in everything.content.decode()
    assert Client.objects.count() == 4 and nothing_written()
    # Repeated ids in the address work too.
    by_address = client.get(f"/activities/plan/?ids={clients[2].pk}&ids={clients[3].pk}")
    assert "2 selected clients" in by_address.content.decode()
    segments = client_as(personas.admin).get("/clients/segments/")
    assert segments.status_code == 200


def test_the_segment_list_links_to_planning(personas, client_as):
    segment = segment_create(personas.admin, name="Все", entity="person", definition={"conditions": []})
    page = client_as(personas.manager1).get("/clients/segments/").content.decode()
    assert f'href="/activities/plan/?kind=person&amp;segment={segment.pk}"' in page
    assert 'data-testid="segment-plan"' not in client_as(personas.readonly).get("/clients/segments/").content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_date": "2001-01-01"}, "start_date"),
        ({"per_day": "0"}, "per_day"),
        ({"time": "25:61"}, "time"),
        ({"type": "999999"}, "type"),
    ],
)
def test_the_page_shows_field_errors_and_starts_nothing(personas, client_as, change, field):
    clients = companies(personas.manager1, 2)
    data = form(personas, kind="company", ids=[c.pk for c in clients], **change)
    response = client_as(personas.admin).post("/activities/plan/", data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert nothing_written()


def test_the_page_without_clients_explains_where_to_start(personas, client_as):
    page = client_as(personas.manager1).get("/activities/plan/")
    assert page.status_code == 200 and "Choose the clients first." in page.content.decode()
    response = client_as(personas.manager1).post("/activities/plan/", form(personas, kind="company"))
    assert response.status_code == 400 and nothing_written()


def test_the_page_needs_the_activities_create_permission(personas, client_as):
    assert client_as(personas.readonly).get("/activities/plan/").status_code == 403
    assert client_as(None).get("/activities/plan/").status_code == 302


# --- API ------------------------------------------------------------------------------


def payload(personas, **extra) -> dict:
    return {
        "kind": "company",
        "definition": {"conditions": [{"field": "city", "op": "eq", "value": "Тула"}]},
        "title": "Позвонить",
        "type_id": call_back(personas).pk,
        "start_date": next_weekday(4).isoformat(),
        "per_day": 2,
        "time": "09:00",
        "interval": 30,
        **extra,
    }


def test_api_starts_a_plan_and_shows_it_to_its_author_and_administrators(personas, api_as):
    companies(personas.manager1, 3, "Тульский", "Тула")
    companies(personas.manager1, 1, "Казанский", "Казань")
    response = api_as(personas.manager1).post("/api/v1/task-plans", payload(personas))
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["kind"] == "activities.mass_plan" and body["progress_total"] == 3 and body["state"] == "pending"
    plan = TaskPlan.objects.get()
    assert response["Location"] == f"/api/v1/task-plans/{plan.pk}"
    run_jobs()
    detail = api_as(personas.manager1).get(f"/api/v1/task-plans/{plan.pk}").json()
    assert detail["tasks_created"] == 3 and detail["job"]["state"] == "succeeded" and detail["title"] == "Позвонить"
    assert api_as(personas.admin).get(f"/api/v1/task-plans/{plan.pk}").status_code == 200
    # Not even the head of the manager's team: a plan is its author's.
    assert api_as(personas.head).get(f"/api/v1/task-plans/{plan.pk}").status_code == 404
    assert api_as(personas.manager2).get(f"/api/v1/task-plans/{plan.pk}").status_code == 404
    assert api_as(personas.other).get(f"/api/v1/task-plans/{plan.pk}").status_code == 404


def test_api_plans_a_selection_or_a_segment(personas, api_as):
    clients = companies(personas.manager1, 3)
    segment = segment_create(personas.admin, name="Все", entity="company", definition={"conditions": []})
    api = api_as(personas.admin)
    picked = api.post("/api/v1/task-plans", {**payload(personas, ids=[clients[0].pk]), "kind": "", "definition": {}})
    assert picked.status_code == 202 and picked.json()["progress_total"] == 1
    whole = api.post("/api/v1/task-plans", payload(personas, definition={}, segment_id=segment.pk))
    assert whole.status_code == 202 and whole.json()["progress_total"] == 3


def test_api_refusals_write_nothing(personas, api_as):
    companies(personas.manager1, 2, "Тульский", "Тула")
    manager = api_as(personas.manager1)
    colleagues = manager.post("/api/v1/task-plans", payload(personas, manager_ids=[personas.manager2.user_id]))
    assert colleagues.status_code == 403
    past = manager.post("/api/v1/task-plans", payload(personas, start_date="2001-01-01"))
    assert past.status_code == 422 and "start_date" in past.json()["error"]["fields"]
    bad_type = manager.post("/api/v1/task-plans", payload(personas, type_id=999_999))
    assert "type_id" in bad_type.json()["error"]["fields"]
    nobody = api_as(personas.manager2).post("/api/v1/task-plans", payload(personas))
    assert nobody.status_code == 422 and "No client you can see matches." in nobody.json()["error"]["message"]
    kind = manager.post("/api/v1/task-plans", payload(personas, kind="robots"))
    assert kind.status_code == 422 and "kind" in kind.json()["error"]["fields"]
    assert api_as(personas.readonly).post("/api/v1/task-plans", payload(personas)).status_code == 403
    assert nothing_written()
