"""The workspace's lists of task types and activity outcomes: built-in entries renamed
(and given back their translated name), own entries added, reordered, taken out of use;
the pages and the API, and what they refuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from relata.activities.models import Outcome, TaskType
from relata.activities.services.rules import task_rule_create
from relata.activities.services.settings import activity_lists_seed, outcome_save, task_type_save
from relata.core.models import Event


def types(workspace_id) -> list[TaskType]:
    return list(TaskType.objects.filter(workspace_id=workspace_id).order_by("position", "id"))


def builtin(personas, model, key):
    return model.objects.get(workspace=personas.admin.workspace, key=key)


def test_a_new_workspace_has_the_builtin_lists_once(personas):
    ws = personas.admin.workspace
    assert [t.key for t in types(ws.pk)][:3] == ["call_back", "send_offer", "offer_discount"]
    assert Outcome.objects.filter(workspace=ws, key="refused", is_positive=False).exists()
    count = TaskType.objects.count(), Outcome.objects.count()
    activity_lists_seed(ws)
    assert (TaskType.objects.count(), Outcome.objects.count()) == count


# --- Pages ----------------------------------------------------------------------------


def test_task_types_page_lists_renames_and_gives_back_the_builtin_name(personas, client_as):
    client = client_as(personas.admin)
    call = builtin(personas, TaskType, "call_back")
    page = client.get("/activities/settings/task-types/").content.decode()
    assert "Call back" in page and 'data-testid="task-type-row"' in page and "built-in" in page
    edit = client.get(f"/activities/settings/task-types/{call.pk}/").content.decode()
    assert "Leave empty to keep the built-in name “Call back”" in edit
    response = client.post(
        f"/activities/settings/task-types/{call.pk}/", {"name": "Перезвонить", "position": "5", "is_active": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/activities/settings/task-types/"
    call.refresh_from_db()
    assert (call.display_name, call.position, call.is_active) == ("Перезвонить", 5, True)
    client.post(f"/activities/settings/task-types/{call.pk}/", {"name": "", "position": "5", "is_active": "on"})
    call.refresh_from_db()
    assert call.name == "" and call.display_name == "Call back"
    with translation.override("ru"):
        assert call.display_name != "" and call.key == "call_back"
    assert Event.objects.filter(kind="task_type.saved", target_id=call.pk).count() == 2


def test_add_a_custom_type_placed_last_and_take_one_out_of_use(personas, client_as):
    client = client_as(personas.admin)
    response = client.post("/activities/settings/task-types/new/", {"name": "Отправить образцы", "is_active": "on"})
    assert response.status_code == 302
    added = TaskType.objects.get(name="Отправить образцы")
    assert added.key == "" and added.position == max(t.position for t in types(added.workspace_id))
    assert types(added.workspace_id)[-1] == added
    client.post(f"/activities/settings/task-types/{added.pk}/", {"name": "Отправить образцы", "position": "1"})
    added.refresh_from_db()
    assert not added.is_active and added.position == 1
    page = client.get("/activities/settings/task-types/").content.decode()
    assert "out of use" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required"),
        ({"name": "Call back"}, "name", "already taken"),
        ({"name": "x" * 101}, "name", "at most 100"),
        ({"name": "Ok", "position": "-1"}, "position", "greater than or equal to 0"),
        ({"name": "Ok", "position": "99999"}, "position", "less than or equal to"),
    ],
)
def test_new_type_form_names_the_bad_field_and_adds_nothing(personas, client_as, data, field, message):
    before = TaskType.objects.count()
    response = client_as(personas.admin).post("/activities/settings/task-types/new/", data)
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert TaskType.objects.count() == before and not Event.objects.filter(kind="task_type.saved").exists()


def test_the_last_type_in_use_and_a_type_an_active_rule_uses_stay_in_use(personas):
    admin = personas.admin
    rule_type = builtin(personas, TaskType, "send_offer")
    task_rule_create(
        admin,
        values={"name": "КП", "trigger": "activity", "activity_kind": "call", "task_type": rule_type.pk},
    )
    with pytest.raises(ValidationError) as error:
        task_type_save(admin, rule_type.pk, is_active=False)
    assert "Active task rules" in error.value.message_dict["is_active"][0]
    rule_type.refresh_from_db()
    assert rule_type.is_active
    others = [t for t in types(admin.workspace_id) if t.pk != rule_type.pk]
    for entry in others:
        task_type_save(admin, entry.pk, is_active=False)
    TaskType.objects.filter(pk=rule_type.pk).update(is_active=True)
    from relata.activities.models import TaskRule

    TaskRule.objects.update(is_active=False)
    with pytest.raises(ValidationError) as error:
        task_type_save(admin, rule_type.pk, is_active=False)
    assert "At least one type" in error.value.message_dict["is_active"][0]


def test_outcomes_page_renames_sets_the_sign_and_adds_its_own(personas, client_as):
    client = client_as(personas.admin)
    refused = builtin(personas, Outcome, "refused")
    page = client.get("/activities/settings/outcomes/").content.decode()
    assert "Refused" in page and 'data-testid="outcome-row"' in page
    response = client.post(
        f"/activities/settings/outcomes/{refused.pk}/",
        {"name": "Отказ", "position": "3", "is_positive": "", "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/activities/settings/outcomes/"
    refused.refresh_from_db()
    assert (refused.display_name, refused.position, refused.is_positive) == ("Отказ", 3, None)
    response = client.post(
        "/activities/settings/outcomes/new/", {"name": "Попросил образцы", "is_positive": "1", "is_active": "on"}
    )
    assert response.status_code == 302
    added = Outcome.objects.get(name="Попросил образцы")
    assert added.is_positive is True and added.is_active
    # Names are unique whatever the case.
    clash = client.post("/activities/settings/outcomes/new/", {"name": "попросил ОБРАЗЦЫ", "is_active": "on"})
    assert clash.status_code == 400 and "already taken" in str(clash.context["form"].errors["name"])
    assert Outcome.objects.filter(workspace=personas.admin.workspace, key="").count() == 1


def test_a_custom_entry_needs_a_name(personas):
    entry = outcome_save(personas.admin, name="Свой")
    with pytest.raises(ValidationError) as error:
        outcome_save(personas.admin, entry.pk, name="")
    assert "name" in error.value.message_dict
    entry.refresh_from_db()
    assert entry.name == "Свой"


def test_only_administrators_reach_the_lists(personas, client_as):
    for url in ("/activities/settings/task-types/", "/activities/settings/outcomes/new/"):
        assert client_as(personas.head).get(url).status_code == 403
        assert client_as(personas.readonly).get(url).status_code == 403
    call = builtin(personas, TaskType, "call_back")
    assert client_as(personas.other).get(f"/activities/settings/task-types/{call.pk}/").status_code == 404
    response = client_as(personas.other).post(f"/activities/settings/task-types/{call.pk}/", {"name": "Взлом"})
    assert response.status_code == 404
    call.refresh_from_db()
    assert call.name == ""


def test_the_menu_marks_the_section_current(personas, client_as):
    outcome = builtin(personas, Outcome, "refused")
    page = client_as(personas.admin).get(f"/activities/settings/outcomes/{outcome.pk}/").content.decode()
    assert 'class="nav-link active" href="/activities/settings/outcomes/"' in page


# --- API ------------------------------------------------------------------------------


def test_api_lists_types_and_outcomes_to_readers(personas, api_as):
    api = api_as(personas.readonly)
    listing = api.get("/api/v1/task-types").json()
    first = listing["items"][0]
    assert first["key"] == "call_back" and first["name"] == "Call back" and first["given_name"] == ""
    outcomes = api.get("/api/v1/outcomes", {"is_active": "true"}).json()["items"]
    assert {"refused", "interested"} <= {o["key"] for o in outcomes}
    assert next(o for o in outcomes if o["key"] == "refused")["is_positive"] is False
    other = api_as(personas.other).get("/api/v1/task-types").json()["items"]
    assert {t["id"] for t in other}.isdisjoint({t["id"] for t in listing["items"]})


def test_api_adds_and_changes_entries(personas, api_as):
    api = api_as(personas.admin)
    created = api.post("/api/v1/task-types", {"name": "Выставить счёт"})
    assert created.status_code == 201 and created.json()["name"] == "Выставить счёт"
    type_id = created.json()["id"]
    changed = api.patch(f"/api/v1/task-types/{type_id}", {"position": 1, "is_active": False})
    assert changed.status_code == 200 and changed.json()["position"] == 1 and changed.json()["is_active"] is False
    assert TaskType.objects.get(pk=type_id).name == "Выставить счёт"  # not sent, not changed
    call = builtin(personas, TaskType, "call_back")
    renamed = api.patch(f"/api/v1/task-types/{call.pk}", {"name": "Перезвонить"}).json()
    assert renamed["name"] == renamed["given_name"] == "Перезвонить"
    back = api.patch(f"/api/v1/task-types/{call.pk}", {"name": ""}).json()
    assert back["name"] == "Call back" and back["given_name"] == ""
    outcome = api.post("/api/v1/outcomes", {"name": "Перенёс встречу", "is_positive": None})
    assert outcome.status_code == 201 and outcome.json()["is_positive"] is None
    good = api.patch(f"/api/v1/outcomes/{outcome.json()['id']}", {"is_positive": True}).json()
    assert good["is_positive"] is True
    neutral = api.patch(f"/api/v1/outcomes/{outcome.json()['id']}", {"is_positive": None}).json()
    assert neutral["is_positive"] is None


def test_api_refusals_name_the_field_and_write_nothing(personas, api_as):
    api = api_as(personas.admin)
    before = TaskType.objects.count()
    taken = api.post("/api/v1/task-types", {"name": "call BACK"})
    assert taken.status_code == 422 and "name" in taken.json()["error"]["fields"]
    position = api.post("/api/v1/outcomes", {"name": "Ок", "position": 40_000})
    assert position.status_code == 422 and "position" in position.json()["error"]["fields"]
    empty = api.post("/api/v1/task-types", {"name": "  "})
    assert empty.status_code == 422 and "name" in empty.json()["error"]["fields"]
    assert TaskType.objects.count() == before and not Outcome.objects.filter(name="Ок").exists()
    call = builtin(personas, TaskType, "call_back")
    assert api_as(personas.manager1).patch(f"/api/v1/task-types/{call.pk}", {"name": "x"}).status_code == 403
    assert api_as(personas.other).patch(f"/api/v1/task-types/{call.pk}", {"name": "x"}).status_code == 404
    assert api_as(personas.head).post("/api/v1/outcomes", {"name": "x"}).status_code == 403
    call.refresh_from_db()
    assert call.name == "" and not Event.objects.filter(kind__in=["task_type.saved", "outcome.saved"]).exists()
