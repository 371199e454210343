"""Task rules: tasks the CRM makes by itself when an activity is logged or when a client
has had no contact for a while; never a second open task of a rule for a client; the
screens and API where administrators define them, and what they refuse."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relata.activities.models import Activity, Outcome, Task, TaskRule, TaskStatus, TaskType
from relata.activities.services.activities import activity_log
from relata.activities.services.rules import rules_run_silence, task_rule_create, task_rule_update
from relata.activities.services.tasks import task_complete
from relata.clients.models import Client, Segment
from relata.clients.services.clients import client_create
from relata.clients.services.segments import segment_create, segment_delete
from relata.core.models import Event

TZ = "Asia/Yekaterinburg"  # UTC+5: a due time in the workspace's zone is not the server's


@pytest.fixture
def ws(personas):
    workspace = personas.admin.workspace
    workspace.time_zone = TZ
    workspace.save(update_fields=["time_zone"])
    for member in personas.all().values():
        member.workspace.refresh_from_db()
    return workspace


def call_back(personas) -> TaskType:
    return TaskType.objects.get(workspace=personas.admin.workspace, key="call_back")


def outcome(personas, key: str) -> Outcome:
    return Outcome.objects.get(workspace=personas.admin.workspace, key=key)


def company(member, name: str, city: str = "Москва", *, days_old: int = 0) -> Client:
    client = client_create(member, kind="company", values={"name": name, "addresses": [{"city": city}]})
    if days_old:
        Client.objects.filter(pk=client.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    return client


def price_rule(personas, **extra) -> TaskRule:
    values = {
        "name": "Перезвонить после прайса",
        "trigger": "activity",
        "activity_text": "прайс",
        "task_type": call_back(personas).pk,
        "task_title": "Перезвонить по прайсу",
        "delay_days": 3,
        "due_time": "11:30",
        **extra,
    }
    return task_rule_create(personas.admin, values=values)


# --- On an activity -------------------------------------------------------------------


def test_a_price_list_sent_makes_a_call_back_for_the_owner_three_days_later(personas, ws):
    rule = price_rule(personas)
    client = company(personas.manager1, "ООО Ромашка")
    activity = activity_log(
        personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Отправил ПРАЙС-лист"}
    )
    task = Task.objects.get(rule=rule)
    assert (task.client_id, task.assignee_id, task.title) == (
        client.pk,
        personas.manager1.user_id,
        "Перезвонить по прайсу",
    )
    assert task.type == call_back(personas) and task.status == TaskStatus.OPEN
    tz = zoneinfo.ZoneInfo(TZ)
    day = timezone.localtime(activity.occurred_at, tz).date() + dt.timedelta(days=3)
    assert task.due_at == dt.datetime.combine(day, dt.time(11, 30), tzinfo=tz)
    assert "Перезвонить после прайса" in task.description
    assert Event.objects.filter(kind="task.created", target_id=task.pk).exists()


def test_no_second_task_while_the_first_is_open_and_a_new_one_after_it_is_done(personas, ws):
    rule = price_rule(personas)
    client = company(personas.manager1, "ООО Ромашка")
    values = {"kind": "email", "subject": "Прайс на май"}
    activity_log(personas.manager1, client_id=client.pk, values=values)
    activity_log(personas.manager1, client_id=client.pk, values=values)
    assert Task.objects.filter(rule=rule).count() == 1
    assert Activity.objects.filter(client=client).count() == 2  # the activity itself is always logged
    first = Task.objects.get(rule=rule)
    task_complete(personas.manager1, first.pk, result="Перезвонил")
    activity_log(personas.manager1, client_id=client.pk, values=values)
    assert Task.objects.filter(rule=rule, status=TaskStatus.OPEN).count() == 1
    assert Task.objects.filter(rule=rule).count() == 2
    # Another client gets its own task at once.
    other = company(personas.manager1, "ООО Лютик")
    activity_log(personas.manager1, client_id=other.pk, values=values)
    assert Task.objects.filter(rule=rule, client=other).count() == 1


def test_words_are_looked_for_in_the_text_too_and_other_activities_make_nothing(personas, ws):
    rule = price_rule(personas)
    client = company(personas.manager1, "ООО Ромашка")
    activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Поговорили о погоде"})
    assert not Task.objects.exists()
    activity_log(
        personas.manager1,
        client_id=client.pk,
        values={"kind": "email", "subject": "Письмо", "body": "<p>Во вложении <b>прайс</b></p>"},
    )
    assert Task.objects.filter(rule=rule).count() == 1


def test_kind_and_outcome_must_both_match_and_the_author_gets_the_task(personas, ws):
    offer = outcome(personas, "asked_for_offer")
    rule = task_rule_create(
        personas.admin,
        values={
            "name": "КП после запроса",
            "trigger": "activity",
            "activity_kind": "call",
            "activity_outcome": offer.pk,
            "task_type": TaskType.objects.get(workspace=ws, key="send_offer").pk,
            "assignee_policy": "author",
            "delay_days": 0,
        },
    )
    assert rule.task_title == "Send a commercial offer"  # the type's name when no title is given
    client = company(personas.manager1, "ООО Ромашка")
    head = personas.head
    activity_log(head, client_id=client.pk, values={"kind": "note", "subject": "Итог", "outcome": offer.pk})
    activity_log(head, client_id=client.pk, values={"kind": "call", "subject": "Звонок"})
    activity_log(
        head,
        client_id=client.pk,
        values={"kind": "call", "subject": "Звонок", "outcome": outcome(personas, "refused").pk},
    )
    assert not Task.objects.exists()
    activity_log(head, client_id=client.pk, values={"kind": "call", "subject": "Звонок", "outcome": offer.pk})
    task = Task.objects.get(rule=rule)
    assert task.assignee_id == head.user_id and task.title == "Send a commercial offer"


def test_a_colleague_who_cannot_see_the_client_is_skipped_without_failing_the_activity(personas, ws):
    rule = price_rule(personas, assignee_policy="user", assignee=personas.manager2.user_id)
    assert rule.assignee_id == personas.manager2.user_id
    client = company(personas.manager1, "ООО Ромашка")
    activity = activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Прайс"})
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert not Task.objects.exists()
    # The colleague gets tasks of the clients they can see.
    theirs = company(personas.manager2, "ООО Южное")
    activity_log(personas.head, client_id=theirs.pk, values={"kind": "call", "subject": "Прайс"})
    assert Task.objects.get(rule=rule).assignee_id == personas.manager2.user_id


def test_inactive_rules_do_nothing(personas, ws):
    rule = price_rule(personas, is_active=False)
    client = company(personas.manager1, "ООО Ромашка")
    activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Прайс"})
    assert not Task.objects.filter(rule=rule).exists()


# --- On silence -----------------------------------------------------------------------


@pytest.fixture
def tula(personas):
    return segment_create(
        personas.admin,
        name="Тула",
        entity="company",
        definition={"conditions": [{"field": "city", "op": "eq", "value": "Тула"}]},
    )


def silence_rule(personas, segment: Segment | None, **extra) -> TaskRule:
    values = {
        "name": "Давно не звонили",
        "trigger": "silence",
        "segment": segment.pk if segment else None,
        "silence_days": 60,
        "task_type": call_back(personas).pk,
        "due_time": "09:00",
        **extra,
    }
    return task_rule_create(personas.admin, values=values)


def test_a_silent_client_of_the_segment_gets_one_task_for_its_owner(personas, ws, tula):
    rule = silence_rule(personas, tula)
    silent = company(personas.manager1, "Тульский пряник", "Тула", days_old=90)
    activity_log(
        personas.manager1,
        client_id=silent.pk,
        values={"kind": "call", "subject": "Давний звонок", "occurred_at": timezone.now() - dt.timedelta(days=80)},
    )
    talked_to = company(personas.manager2, "Тульский самовар", "Тула", days_old=90)
    activity_log(
        personas.manager2,
        client_id=talked_to.pk,
        values={"kind": "call", "subject": "Недавно", "occurred_at": timezone.now() - dt.timedelta(days=10)},
    )
    company(personas.manager1, "Казанский кремль", "Казань", days_old=90)  # outside the segment
    company(personas.manager1, "Тульский новичок", "Тула")  # known for less than 60 days
    assert rules_run_silence() == 1
    task = Task.objects.get(rule=rule)
    assert (task.client_id, task.assignee_id) == (silent.pk, personas.manager1.user_id)
    tz = zoneinfo.ZoneInfo(TZ)
    assert task.due_at == dt.datetime.combine(timezone.localtime(timezone.now(), tz).date(), dt.time(9), tzinfo=tz)
    rule.refresh_from_db()
    assert rule.last_run_at is not None
    # The next hourly run finds the task still open: nothing new.
    assert rules_run_silence() == 0
    assert Task.objects.filter(rule=rule).count() == 1


def test_a_silence_rule_for_a_chosen_colleague_and_without_a_segment(personas, ws):
    rule = silence_rule(personas, None, assignee_policy="user", assignee=personas.head.user_id)
    north = company(personas.manager1, "Северная", days_old=100)
    south = company(personas.manager2, "Южная", days_old=100)
    assert rules_run_silence() == 2
    assert set(Task.objects.filter(rule=rule).values_list("client_id", "assignee_id")) == {
        (north.pk, personas.head.user_id),
        (south.pk, personas.head.user_id),
    }


def test_inactive_silence_rules_are_not_run(personas, ws, tula):
    silence_rule(personas, tula, is_active=False)
    company(personas.manager1, "Тульский пряник", "Тула", days_old=90)
    assert rules_run_silence() == 0


def test_a_segment_used_by_a_rule_cannot_be_deleted(personas, ws, tula):
    rule = silence_rule(personas, tula)
    with pytest.raises(ValidationError) as error:
        segment_delete(personas.admin, tula.pk)
    assert "segment" in error.value.message_dict
    assert Segment.objects.filter(pk=tula.pk).exists()
    # Once the rule no longer uses it, it can go.
    rule.delete()
    segment_delete(personas.admin, tula.pk)
    assert not Segment.objects.filter(pk=tula.pk).exists()


def test_an_activity_rule_keeps_no_segment(personas, ws, tula):
    """Switching a rule to "on an activity" drops its segment (it would protect it unseen)."""
    rule = silence_rule(personas, tula)
    rule = task_rule_update(
        personas.admin, rule.pk, version=rule.version, values={"trigger": "activity", "activity_kind": "call"}
    )
    assert rule.segment_id is None and rule.silence_days is None
    segment_delete(personas.admin, tula.pk)


# --- Refusals -------------------------------------------------------------------------


def base_values(personas) -> dict:
    return {
        "name": "Правило",
        "trigger": "activity",
        "activity_kind": "call",
        "task_type": call_back(personas).pk,
        "delay_days": 1,
        "due_time": "10:00",
        "priority": "normal",
        "assignee_policy": "owner",
    }


BAD = [
    ({"task_type": 999_999}, "task_type", "Choose a type of task."),
    ({"trigger": "silence", "silence_days": None}, "silence_days", "days without contact"),
    ({"trigger": "silence", "silence_days": 60, "assignee_policy": "author"}, "assignee_policy", "no activity author"),
    ({"assignee_policy": "user", "assignee": None}, "assignee", "Choose the colleague"),
    ({"due_time": "25:00"}, "due_time", "Enter a time"),
    ({"activity_kind": "", "activity_text": "", "activity_outcome": None}, "activity_kind", "Say which activities"),
    ({"trigger": "sometimes"}, "trigger", "Choose when the rule acts"),
    ({"delay_days": -1}, "delay_days", "Enter between"),
    ({"remind_before": 99_999}, "remind_before", "at most 30 days"),
    ({"name": ""}, "name", "Enter a name"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_the_service_refuses_bad_rules_and_writes_nothing(personas, change, field, message):
    with pytest.raises(ValidationError) as error:
        task_rule_create(personas.admin, values={**base_values(personas), **change})
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not TaskRule.objects.exists() and not Event.objects.filter(kind__startswith="task_rule").exists()


def test_a_colleague_of_another_workspace_is_refused(personas):
    values = {**base_values(personas), "assignee_policy": "user", "assignee": personas.other.user_id}
    with pytest.raises(ValidationError) as error:
        task_rule_create(personas.admin, values=values)
    assert "assignee" in error.value.message_dict
    assert not TaskRule.objects.exists()


def test_a_segment_of_another_workspace_or_a_colleagues_private_one_is_refused(personas):
    foreign = segment_create(personas.other, name="Чужой", entity="company", definition={"conditions": []})
    private = segment_create(
        personas.manager1, name="Мой", entity="company", definition={"conditions": []}, is_shared=False
    )
    for segment in (foreign, private):
        values = {**base_values(personas), "trigger": "silence", "silence_days": 30, "segment": segment.pk}
        with pytest.raises(ValidationError) as error:
            task_rule_create(personas.admin, values=values)
        assert "segment" in error.value.message_dict
    assert not TaskRule.objects.exists()


# --- Pages ----------------------------------------------------------------------------


def form_data(personas, **extra) -> dict:
    return {
        "name": "Перезвонить после прайса",
        "is_active": "on",
        "trigger": "activity",
        "activity_kind": "",
        "activity_text": "прайс",
        "activity_outcome": "",
        "segment": "",
        "silence_days": "",
        "task_type": call_back(personas).pk,
        "task_title": "",
        "delay_days": "3",
        "due_time": "11:30",
        "priority": "high",
        "remind_before": "30",
        "assignee_policy": "owner",
        "assignee": "",
        **extra,
    }


def test_the_administrator_creates_a_rule_on_the_page_and_sees_it_listed(personas, client_as, ws):
    client = client_as(personas.admin)
    page = client.get("/activities/settings/rules/new/").content.decode()
    assert "x-show=\"trigger === 'activity'\"" in page and "x-show=\"trigger === 'silence'\"" in page
    assert "x-show=\"policy === 'user'\"" in page
    response = client.post("/activities/settings/rules/new/", form_data(personas))
    assert response.status_code == 302 and response["Location"] == "/activities/settings/rules/"
    rule = TaskRule.objects.get()
    assert (rule.activity_text, rule.delay_days, rule.due_time, rule.priority, rule.remind_before) == (
        "прайс",
        3,
        dt.time(11, 30),
        "high",
        30,
    )
    assert rule.created_by_id == personas.admin.user_id and rule.is_active
    listing = client.get("/activities/settings/rules/").content.decode()
    assert "Перезвонить после прайса" in listing and "прайс" in listing and 'data-testid="task-rule-row"' in listing
    # The administration menu has the entries of this app.
    for url in ("/activities/settings/rules/", "/activities/settings/task-types/", "/activities/settings/outcomes/"):
        assert f'href="{url}"' in listing


def test_the_rule_form_names_the_bad_field_and_creates_nothing(personas, client_as):
    client = client_as(personas.admin)
    cases = [
        ({"task_type": "999999"}, "task_type"),
        ({"trigger": "silence", "silence_days": ""}, "silence_days"),
        ({"trigger": "silence", "silence_days": "60", "assignee_policy": "author"}, "assignee_policy"),
        ({"assignee_policy": "user", "assignee": ""}, "assignee"),
        ({"assignee_policy": "user", "assignee": str(personas.other.user_id)}, "assignee"),
        ({"due_time": "25:00"}, "due_time"),
        ({"activity_text": ""}, "activity_kind"),
    ]
    for change, field in cases:
        response = client.post("/activities/settings/rules/new/", form_data(personas, **change))
        assert response.status_code == 400, change
        assert response.context["form"].errors.get(field), (change, response.context["form"].errors)
    assert not TaskRule.objects.exists()


def test_silence_form_saves_the_segment_and_edit_refuses_a_stale_version(personas, client_as, tula):
    client = client_as(personas.admin)
    response = client.post(
        "/activities/settings/rules/new/",
        form_data(personas, trigger="silence", segment=str(tula.pk), silence_days="60", activity_text="прайс"),
    )
    assert response.status_code == 302
    rule = TaskRule.objects.get()
    assert (rule.trigger, rule.segment_id, rule.silence_days, rule.activity_text) == ("silence", tula.pk, 60, "")
    url = f"/activities/settings/rules/{rule.pk}/"
    page = client.get(url).content.decode()
    assert "Тула" in page and f'value="{rule.version}"' in page
    edit = form_data(personas, trigger="silence", segment=str(tula.pk), silence_days="30", version=str(rule.version))
    assert client.post(url, edit).status_code == 302
    rule.refresh_from_db()
    assert rule.silence_days == 30 and rule.version == 2
    stale = client.post(url, {**edit, "silence_days": "90", "version": "1"})
    assert stale.status_code == 409 and 'data-testid="conflict"' in stale.content.decode()
    rule.refresh_from_db()
    assert rule.silence_days == 30


def test_delete_a_rule_keeps_its_tasks(personas, client_as, ws):
    rule = price_rule(personas)
    client = company(personas.manager1, "ООО Ромашка")
    activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Прайс"})
    response = client_as(personas.admin).post(f"/activities/settings/rules/{rule.pk}/delete/")
    assert response.status_code == 302
    assert not TaskRule.objects.exists()
    task = Task.objects.get()
    assert task.rule_id is None and task.status == TaskStatus.OPEN
    assert Event.objects.filter(kind="task_rule.deleted").exists()


def test_only_administrators_reach_the_rules(personas, client_as):
    assert client_as(personas.head).get("/activities/settings/rules/").status_code == 403
    assert client_as(personas.manager1).get("/activities/settings/rules/new/").status_code == 403
    rule = price_rule(personas)
    assert client_as(personas.other).get(f"/activities/settings/rules/{rule.pk}/").status_code == 404


# --- API ------------------------------------------------------------------------------


def api_payload(personas, **extra) -> dict:
    return {
        "name": "Перезвонить после прайса",
        "trigger": "activity",
        "activity_text": "прайс",
        "task_type_id": call_back(personas).pk,
        "delay_days": 3,
        "due_time": "11:30",
        **extra,
    }


def test_api_create_read_change_and_delete_a_rule(personas, api_as, tula):
    api = api_as(personas.admin)
    response = api.post("/api/v1/task-rules", api_payload(personas))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["task_type"]["name"] == "Call back" and body["due_time"] == "11:30:00" and body["version"] == 1
    assert body["assignee_policy"] == "owner" and body["segment"] is None
    rule_id = body["id"]
    listing = api_as(personas.manager1).get("/api/v1/task-rules").json()
    assert [item["id"] for item in listing["items"]] == [rule_id]
    changed = api.patch(
        f"/api/v1/task-rules/{rule_id}",
        {"version": 1, "trigger": "silence", "segment_id": tula.pk, "silence_days": 45},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["segment"] == {"id": tula.pk, "name": "Тула"} and changed.json()["activity_text"] == ""
    stale = api.patch(f"/api/v1/task-rules/{rule_id}", {"version": 1, "silence_days": 10})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert TaskRule.objects.get().silence_days == 45
    assert api.delete(f"/api/v1/task-rules/{rule_id}").status_code == 204
    assert not TaskRule.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"task_type_id": 999_999}, "task_type_id"),
        ({"trigger": "silence"}, "silence_days"),
        ({"trigger": "silence", "silence_days": 30, "assignee_policy": "author"}, "assignee_policy"),
        ({"assignee_policy": "user"}, "assignee_id"),
        ({"due_time": "10:99"}, "due_time"),
    ],
)
def test_api_names_the_bad_field_and_writes_nothing(personas, api_as, change, field):
    response = api_as(personas.admin).post("/api/v1/task-rules", api_payload(personas, **change))
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"], response.json()
    assert not TaskRule.objects.exists()


def test_api_refuses_a_colleague_of_another_workspace(personas, api_as):
    payload = api_payload(personas, assignee_policy="user", assignee_id=personas.other.user_id)
    response = api_as(personas.admin).post("/api/v1/task-rules", payload)
    assert response.status_code == 422 and "assignee_id" in response.json()["error"]["fields"]
    assert not TaskRule.objects.exists()


def test_api_writing_rules_needs_admin_change(personas, api_as):
    assert api_as(personas.head).post("/api/v1/task-rules", api_payload(personas)).status_code == 403
    rule = price_rule(personas)
    manager = api_as(personas.manager1)
    assert manager.patch(f"/api/v1/task-rules/{rule.pk}", {"version": 1, "name": "x"}).status_code == 403
    assert manager.delete(f"/api/v1/task-rules/{rule.pk}").status_code == 403
    assert api_as(personas.other).get(f"/api/v1/task-rules/{rule.pk}").status_code == 404
    assert TaskRule.objects.get().name == "Перезвонить после прайса"
