"""The settings screens of the client base (custom fields, lifecycle statuses, assignment
rules) and their API: who reaches them, what they save, what they refuse and why, and
that a refused or stale save writes nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from relata.clients.models import AssignmentRule, CustomField, LifecycleStatus
from relata.clients.services.assignment import assignment_rule_create
from relata.clients.services.clients import client_create
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.segments import segment_create
from relata.clients.services.statuses import status_create
from relata.core.models import Event
from relata.core.services.members import member_deactivate


def statuses(workspace_id):
    return list(LifecycleStatus.objects.filter(workspace_id=workspace_id).order_by("position", "id"))


# --- Navigation -----------------------------------------------------------------------


def test_administrator_sees_the_three_entries_in_the_administration_menu(personas, client_as):
    page = client_as(personas.admin).get("/clients/settings/custom-fields/").content.decode()
    for url in (
        "/clients/settings/custom-fields/",
        "/clients/settings/statuses/",
        "/clients/settings/assignment-rules/",
    ):
        assert f'href="{url}"' in page
    assert 'data-testid="menu-settings"' in page


def test_head_of_sales_reaches_assignment_rules_but_not_the_administrators_screens(personas, client_as):
    client = client_as(personas.head)
    home = client.get("/").content.decode()
    # Not an administrator: the user menu names the settings page the head may use.
    assert 'data-testid="menu-settings"' not in home
    assert 'href="/clients/settings/assignment-rules/" data-testid="menu-assignment_rules"' in home
    page = client.get("/clients/settings/assignment-rules/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/clients/settings/assignment-rules/"' in body
    assert "/clients/settings/custom-fields/" not in body and "/clients/settings/statuses/" not in body
    assert "/settings/members/" not in body
    assert client.get("/clients/settings/custom-fields/").status_code == 403
    assert client.get("/clients/settings/statuses/").status_code == 403


def test_a_sales_manager_has_no_administration_menu(personas, client_as):
    home = client_as(personas.manager1).get("/").content.decode()
    assert 'data-testid="menu-settings"' not in home and "menu-assignment_rules" not in home
    assert client_as(personas.manager1).get("/clients/settings/assignment-rules/").status_code == 403


# --- Custom fields: pages ---------------------------------------------------------------


def test_custom_fields_are_listed_per_kind_of_client(personas, client_as):
    custom_field_create(personas.admin, entity="company", label="Регион поставки", field_type="text")
    custom_field_create(personas.admin, entity="person", label="Hobby", field_type="text")
    client = client_as(personas.admin)
    companies = client.get("/clients/settings/custom-fields/").content.decode()
    assert "Регион поставки" in companies and "custom.region_postavki" in companies and "Hobby" not in companies
    people = client.get("/clients/settings/custom-fields/", {"entity": "person"}).content.decode()
    assert "Hobby" in people and "Регион поставки" not in people


def test_create_a_choice_field_with_one_choice_per_line(personas, client_as):
    client = client_as(personas.admin)
    page = client.get("/clients/settings/custom-fields/new/", {"entity": "person"}).content.decode()
    assert 'data-testid="fixed-note"' in page and "cannot be changed once the field is created" in page
    response = client.post(
        "/clients/settings/custom-fields/new/",
        {
            "entity": "person",
            "label": "Канал",
            "field_type": "choice",
            "choices": "Сайт\r\n  Звонок \r\n\r\nСайт\r\nВыставка",
            "required": "on",
            "help_text": "Откуда узнал",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/clients/settings/custom-fields/?entity=person"
    definition = CustomField.objects.get()
    assert (definition.entity, definition.key, definition.field_type) == ("person", "kanal", "choice")
    assert definition.choices == ["Сайт", "Звонок", "Выставка"]
    assert definition.required and definition.help_text == "Откуда узнал"
    assert Event.objects.filter(kind="custom_field.created", target_id=definition.pk).exists()
    followed = client.get(response["Location"]).content.decode()
    assert "kanal" in followed  # the message names the key given


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"field_type": "choice", "choices": "  \n "}, "choices", "List the choices, one per line."),
        ({"field_type": "text", "key": "1st"}, "key", "Latin letters"),
        ({"field_type": "multichoice", "choices": "a, b\nc"}, "choices", "cannot contain"),
        ({"field_type": "nonsense"}, "field_type", "Select a valid choice"),
        ({"field_type": "text", "label": ""}, "label", "This field is required"),
    ],
)
def test_create_form_names_the_bad_field_and_creates_nothing(personas, client_as, data, field, message):
    post = {"entity": "company", "label": "Объём", **data}
    response = client_as(personas.admin).post("/clients/settings/custom-fields/new/", post)
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert not CustomField.objects.exists()


def test_explicit_key_that_is_taken_is_refused(personas, client_as):
    custom_field_create(personas.admin, entity="company", label="Region", field_type="text")
    response = client_as(personas.admin).post(
        "/clients/settings/custom-fields/new/",
        {"entity": "company", "label": "Region 2", "field_type": "text", "key": "region"},
    )
    assert response.status_code == 400 and "already has the key" in str(response.context["form"].errors["key"])
    assert CustomField.objects.count() == 1


def test_edit_a_field_but_never_its_key_or_type(personas, client_as):
    definition = custom_field_create(
        personas.admin, entity="company", label="Сегмент", field_type="choice", choices=["A", "B"]
    )
    client = client_as(personas.admin)
    page = client.get(f"/clients/settings/custom-fields/{definition.pk}/").content.decode()
    assert 'data-testid="fixed-properties"' in page and "<code>segment</code>" in page
    assert "The type and the key are fixed" in page
    response = client.post(
        f"/clients/settings/custom-fields/{definition.pk}/",
        {
            "version": definition.version,
            "label": "Класс",
            "choices": "A\nB\nC",
            "help_text": "ABC",
            "position": "3",
            "key": "other_key",  # not a field of the form: ignored
            "field_type": "number",
        },
    )
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.label, definition.choices, definition.help_text, definition.position) == (
        "Класс",
        ["A", "B", "C"],
        "ABC",
        3,
    )
    assert (definition.key, definition.field_type, definition.is_active, definition.required) == (
        "segment",
        "choice",
        False,
        False,
    )
    event = Event.objects.get(kind="custom_field.changed")
    assert event.changes["label"] == ["Сегмент", "Класс"] and event.changes["is_active"] == [True, False]


def test_a_stale_field_edit_shows_the_conflict_and_saves_nothing(personas, client_as):
    definition = custom_field_create(personas.admin, entity="company", label="Region", field_type="text")
    old_version = definition.version
    client_as(personas.admin).post(
        f"/clients/settings/custom-fields/{definition.pk}/",
        {"version": old_version, "label": "Theirs", "position": 10, "is_active": "on"},
    )
    response = client_as(personas.admin).post(
        f"/clients/settings/custom-fields/{definition.pk}/",
        {"version": old_version, "label": "Mine", "position": 10, "is_active": "on"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "Theirs" in body
    definition.refresh_from_db()
    assert definition.label == "Theirs"


def test_nobody_but_administrators_edits_custom_fields(personas, client_as):
    definition = custom_field_create(personas.admin, entity="company", label="Region", field_type="text")
    for member in (personas.head, personas.manager1, personas.readonly):
        response = client_as(member).post(
            f"/clients/settings/custom-fields/{definition.pk}/",
            {"version": definition.version, "label": "X", "position": 1, "is_active": "on"},
        )
        assert response.status_code == 403
    assert client_as(personas.other).get(f"/clients/settings/custom-fields/{definition.pk}/").status_code == 404
    definition.refresh_from_db()
    assert definition.label == "Region"


# --- Lifecycle statuses: pages ----------------------------------------------------------


def test_statuses_are_listed_in_order_with_their_clients(personas, client_as):
    client_create(personas.manager1, kind="company", values={"name": "Alpha"})
    page = client_as(personas.admin).get("/clients/settings/statuses/").content.decode()
    names = ["Cold", "Considering", "Ready to buy", "Client", "Regular client", "Inactive"]
    positions = [page.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    assert 'data-testid="default-status"' in page


def test_create_and_rename_statuses(personas, client_as):
    client = client_as(personas.admin)
    response = client.post("/clients/settings/statuses/new/", {"name": "Партнёр", "is_default": "on"})
    assert response.status_code == 302
    created = LifecycleStatus.objects.get(name="Партнёр")
    assert created.is_default and created.position == 60
    assert LifecycleStatus.objects.filter(workspace=personas.admin.workspace, is_default=True).count() == 1
    cold = LifecycleStatus.objects.get(workspace=personas.admin.workspace, key="cold")
    page = client.get(f"/clients/settings/statuses/{cold.pk}/").content.decode()
    assert "Leave empty to keep the built-in name “Cold”" in page
    data = {"version": cold.version, "name": "Холодный", "position": 100, "is_active": "on"}
    assert client.post(f"/clients/settings/statuses/{cold.pk}/", data).status_code == 302
    cold.refresh_from_db()
    assert (cold.display_name, cold.position) == ("Холодный", 100)
    data = {"version": cold.version, "name": "", "position": 100, "is_active": "on"}
    assert client.post(f"/clients/settings/statuses/{cold.pk}/", data).status_code == 302
    cold.refresh_from_db()
    assert cold.name == "" and cold.display_name == "Cold"
    assert Event.objects.filter(kind="status.changed", target_id=cold.pk).count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "cold"}, "name", "already exists"),  # the built-in name of another status
        ({"name": "built-in name in Russian"}, "name", "already exists"),
        ({"name": "x" * 61}, "name", "at most 60"),
        ({"position": "-1"}, "position", "greater than or equal to 0"),
        ({"is_active": "", "is_default": "on"}, "is_active", "must be in use"),
    ],
)
def test_status_edit_names_the_bad_field_and_saves_nothing(personas, client_as, change, field, message):
    status = status_create(personas.admin, name="Партнёр")
    if change.get("name") == "built-in name in Russian":
        with translation.override("ru"):
            change = {"name": LifecycleStatus(key="cold").display_name}
    data = {"version": status.version, "name": "Партнёр", "position": 60, "is_active": "on", **change}
    response = client_as(personas.admin).post(f"/clients/settings/statuses/{status.pk}/", data)
    assert response.status_code == 400
    assert message.lower() in str(response.context["form"].errors[field]).lower()
    fresh = LifecycleStatus.objects.get(pk=status.pk)
    assert (fresh.name, fresh.version, fresh.is_default) == ("Партнёр", status.version, False)


def test_the_last_status_in_use_cannot_be_taken_out_of_use(personas, client_as):
    ws = personas.admin.workspace
    *others, last = statuses(ws.pk)
    LifecycleStatus.objects.filter(pk__in=[s.pk for s in others]).update(is_active=False, is_default=False)
    data = {"version": last.version, "name": "", "position": last.position, "is_active": ""}
    response = client_as(personas.admin).post(f"/clients/settings/statuses/{last.pk}/", data)
    assert response.status_code == 400 and "At least one status must stay in use" in response.content.decode()
    assert LifecycleStatus.objects.get(pk=last.pk).is_active


def test_a_used_status_cannot_be_deleted_an_unused_one_can(personas, client_as):
    company = client_create(personas.manager1, kind="company", values={"name": "Alpha"})
    used = company.status
    client = client_as(personas.admin)
    page = client.get(f"/clients/settings/statuses/{used.pk}/").content.decode()
    assert 'data-testid="status-used"' in page
    response = client.post(f"/clients/settings/statuses/{used.pk}/delete/", follow=True)
    assert response.redirect_chain[0][0] == f"/clients/settings/statuses/{used.pk}/"
    assert "1 clients have this status" in response.content.decode()
    assert LifecycleStatus.objects.filter(pk=used.pk).exists()
    assert not Event.objects.filter(kind="status.deleted").exists()
    spare = status_create(personas.admin, name="Spare")
    response = client.post(f"/clients/settings/statuses/{spare.pk}/delete/", follow=True)
    assert response.redirect_chain[0][0] == "/clients/settings/statuses/"
    assert "has been deleted" in response.content.decode()
    assert not LifecycleStatus.objects.filter(pk=spare.pk).exists()
    assert Event.objects.filter(kind="status.deleted", target_id=spare.pk).exists()


def test_a_stale_status_edit_is_refused_with_409(personas, client_as):
    status = status_create(personas.admin, name="Партнёр")
    client = client_as(personas.admin)
    base = {"version": status.version, "position": 60, "is_active": "on"}
    assert client.post(f"/clients/settings/statuses/{status.pk}/", {**base, "name": "Их"}).status_code == 302
    response = client.post(f"/clients/settings/statuses/{status.pk}/", {**base, "name": "Мой"})
    assert response.status_code == 409 and 'data-testid="conflict"' in response.content.decode()
    assert LifecycleStatus.objects.get(pk=status.pk).name == "Их"


def test_status_pages_are_for_administrators(personas, client_as):
    status = status_create(personas.admin, name="Партнёр")
    for member in (personas.head, personas.manager1, personas.readonly):
        client = client_as(member)
        assert client.get("/clients/settings/statuses/").status_code == 403
        assert client.post("/clients/settings/statuses/new/", {"name": "X"}).status_code == 403
        assert client.post(f"/clients/settings/statuses/{status.pk}/delete/").status_code == 403
    assert client_as(personas.other).post(f"/clients/settings/statuses/{status.pk}/delete/").status_code == 404
    assert LifecycleStatus.objects.filter(pk=status.pk).exists()
    assert not LifecycleStatus.objects.filter(name="X").exists()


# --- Assignment rules: pages ------------------------------------------------------------


@pytest.fixture
def moscow_segment(personas):
    return segment_create(
        personas.head,
        name="Москва",
        entity="company",
        definition={"conditions": [{"field": "city", "op": "eq", "value": "Москва"}]},
    )


def rule_post(personas, **extra):
    return {
        "name": "Москва",
        "entity": "company",
        "strategy": "least_loaded",
        "managers": [personas.manager1.user_id, personas.manager2.user_id],
        "is_active": "on",
        **extra,
    }


def test_head_of_sales_creates_a_rule_with_a_segment(personas, client_as, moscow_segment):
    client = client_as(personas.head)
    page = client.get("/clients/settings/assignment-rules/new/").content.decode()
    assert "Москва (companies)" in page
    response = client.post("/clients/settings/assignment-rules/new/", rule_post(personas, segment=moscow_segment.pk))
    assert response.status_code == 302
    rule = AssignmentRule.objects.get()
    assert (rule.name, rule.entity, rule.segment, rule.strategy, rule.position) == (
        "Москва",
        "company",
        moscow_segment,
        "least_loaded",
        10,
    )
    assert sorted(rule.managers.values_list("pk", flat=True)) == sorted(
        [personas.manager1.user_id, personas.manager2.user_id]
    )
    listing = client.get("/clients/settings/assignment-rules/").content.decode()
    assert 'data-testid="rules-explained"' in listing and "the active rules are tried in order" in listing
    assert "Mila North" in listing and "Max South" in listing and "To the least loaded" in listing
    event = Event.objects.get(kind="assignment_rule.created")
    assert event.changes["segment"] == [None, moscow_segment.pk]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"managers": []}, "managers", "This field is required"),
        ({"name": ""}, "name", "This field is required"),
        ({"entity": "person"}, "segment", "another kind of client"),
        ({"strategy": "random"}, "strategy", "Select a valid choice"),
    ],
)
def test_rule_form_names_the_bad_field_and_creates_nothing(personas, client_as, moscow_segment, extra, field, message):
    data = rule_post(personas, segment=moscow_segment.pk, **extra)
    response = client_as(personas.head).post("/clients/settings/assignment-rules/new/", data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not AssignmentRule.objects.exists()


def test_rule_form_offers_dynamic_segments_and_active_colleagues_only(personas, client_as):
    segment_create(personas.head, name="Ручной список", entity="company", kind="static")
    member_deactivate(personas.admin, personas.manager2.user_id)
    page = client_as(personas.head).get("/clients/settings/assignment-rules/new/").content.decode()
    assert "Ручной список" not in page
    assert "Mila North" in page and "Max South" not in page


def test_edit_and_delete_a_rule(personas, client_as):
    rule = assignment_rule_create(personas.head, name="Все", manager_ids=[personas.manager1.user_id])
    client = client_as(personas.head)
    page = client.get(f"/clients/settings/assignment-rules/{rule.pk}/").content.decode()
    assert 'value="Все"' in page
    data = rule_post(personas, name="Все компании", version=rule.version, position=5, is_active="")
    assert client.post(f"/clients/settings/assignment-rules/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.entity, rule.position, rule.is_active, rule.strategy) == (
        "Все компании",
        "company",
        5,
        False,
        "least_loaded",
    )
    assert rule.managers.count() == 2
    stale = client.post(f"/clients/settings/assignment-rules/{rule.pk}/", {**data, "name": "Stale"})
    assert stale.status_code == 409 and 'data-testid="conflict"' in stale.content.decode()
    assert AssignmentRule.objects.get(pk=rule.pk).name == "Все компании"
    response = client.post(f"/clients/settings/assignment-rules/{rule.pk}/delete/")
    assert response.status_code == 302 and not AssignmentRule.objects.exists()
    assert Event.objects.filter(kind="assignment_rule.deleted", target_id=rule.pk).exists()


def test_rules_list_marks_deactivated_managers(personas, client_as):
    assignment_rule_create(
        personas.head, name="Все", manager_ids=[personas.manager1.user_id, personas.manager2.user_id]
    )
    member_deactivate(personas.admin, personas.manager2.user_id)
    page = client_as(personas.admin).get("/clients/settings/assignment-rules/").content.decode()
    assert "Max South" in page and "deactivated" in page


# --- The API ----------------------------------------------------------------------------


def test_api_custom_fields_list_get_create_patch(personas, api_as):
    api = api_as(personas.admin)
    created = api.post(
        "/api/v1/custom-fields",
        {"entity": "company", "label": "Объём закупок", "field_type": "money", "required": True},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["key"], body["field_type"], body["required"], body["version"]) == ("obem_zakupok", "money", True, 1)
    api.post("/api/v1/custom-fields", {"entity": "person", "label": "Hobby", "field_type": "text"})
    reader = api_as(personas.manager1)
    listed = reader.get("/api/v1/custom-fields", {"entity": "company"}).json()
    assert [f["key"] for f in listed["items"]] == ["obem_zakupok"]
    assert reader.get("/api/v1/custom-fields").json()["count"] == 2
    assert reader.get(f"/api/v1/custom-fields/{body['id']}").json()["label"] == "Объём закупок"
    changed = api.patch(f"/api/v1/custom-fields/{body['id']}", {"version": 1, "label": "Объём", "is_active": False})
    assert changed.status_code == 200
    assert (changed.json()["label"], changed.json()["is_active"], changed.json()["required"]) == ("Объём", False, True)
    assert reader.get("/api/v1/custom-fields", {"is_active": True}).json()["count"] == 1
    # No deletion: a field is taken out of use instead.
    assert api.delete(f"/api/v1/custom-fields/{body['id']}").status_code == 405


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"entity": "deal", "label": "X", "field_type": "text"}, "entity"),
        ({"entity": "company", "label": "X", "field_type": "colour"}, "field_type"),
        ({"entity": "company", "label": " ", "field_type": "text"}, "label"),
        ({"entity": "company", "label": "X" * 101, "field_type": "text"}, "label"),
        ({"entity": "company", "label": "X", "field_type": "choice", "choices": []}, "choices"),
        ({"entity": "company", "label": "X", "field_type": "text", "key": "Bad key!"}, "key"),
        ({"entity": "company", "label": "X", "field_type": "text", "help_text": "h" * 201}, "help_text"),
    ],
)
def test_api_custom_field_refusals_name_the_field(personas, api_as, payload, field):
    response = api_as(personas.admin).post("/api/v1/custom-fields", payload)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not CustomField.objects.exists()


def test_api_custom_field_key_and_type_never_change(personas, api_as):
    definition = custom_field_create(personas.admin, entity="company", label="Region", field_type="text")
    api = api_as(personas.admin)
    response = api.patch(
        f"/api/v1/custom-fields/{definition.pk}", {"version": 1, "key": "area", "field_type": "number"}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"key", "field_type"}
    same = api.patch(f"/api/v1/custom-fields/{definition.pk}", {"version": 1, "key": "region", "label": "Регион"})
    assert same.status_code == 200 and same.json()["key"] == "region"
    stale = api.patch(f"/api/v1/custom-fields/{definition.pk}", {"version": 1, "label": "Old"})
    assert stale.status_code == 409 and stale.json()["error"]["current"]["label"] == "Регион"
    assert api_as(personas.head).patch(f"/api/v1/custom-fields/{definition.pk}", {"version": 2}).status_code == 403


def test_api_statuses(personas, api_as):
    api = api_as(personas.admin)
    listed = api_as(personas.manager1).get("/api/v1/statuses").json()
    assert [s["key"] for s in listed["items"]][:2] == ["cold", "considering"]
    assert listed["items"][0]["name"] == "Cold" and listed["items"][0]["is_default"]
    created = api.post("/api/v1/statuses", {"name": "Партнёр", "position": 15})
    assert created.status_code == 201 and created.json()["position"] == 15
    status_id = created.json()["id"]
    assert api.get("/api/v1/statuses").json()["items"][2]["name"] == "Партнёр"
    changed = api.patch(f"/api/v1/statuses/{status_id}", {"version": 1, "is_default": True})
    assert changed.status_code == 200 and changed.json()["is_default"] and changed.json()["name"] == "Партнёр"
    cold = LifecycleStatus.objects.get(workspace=personas.admin.workspace, key="cold")
    assert not cold.is_default
    duplicate = api.post("/api/v1/statuses", {"name": "ready to buy"})
    assert duplicate.status_code == 422 and "name" in duplicate.json()["error"]["fields"]
    client_create(personas.manager1, kind="company", values={"name": "Alpha", "status": "Партнёр"})
    refused = api.delete(f"/api/v1/statuses/{status_id}")
    assert refused.status_code == 422 and "1 clients have this status" in refused.json()["error"]["message"]
    spare = api.post("/api/v1/statuses", {"name": "Spare"}).json()
    assert api.delete(f"/api/v1/statuses/{spare['id']}").status_code == 204
    assert not LifecycleStatus.objects.filter(pk=spare["id"]).exists()


def test_api_tags_are_counted_within_the_callers_scope(personas, api_as):
    client_create(personas.manager1, kind="company", values={"name": "A", "tags": ["опт", "кирпич"]})
    client_create(personas.manager1, kind="company", values={"name": "B", "tags": ["опт"]})
    client_create(personas.manager2, kind="person", values={"last_name": "C", "tags": ["опт"]})
    counts = lambda member: {t["name"]: t["clients"] for t in api_as(member).get("/api/v1/tags").json()["items"]}  # noqa: E731
    assert counts(personas.admin) == {"кирпич": 1, "опт": 3}
    assert counts(personas.manager1) == {"кирпич": 1, "опт": 2}
    assert counts(personas.manager2) == {"кирпич": 0, "опт": 1}
    assert counts(personas.other) == {}
    found = api_as(personas.admin).get("/api/v1/tags", {"q": "КИР"}).json()
    assert [t["name"] for t in found["items"]] == ["кирпич"]


def test_api_assignment_rules(personas, api_as, moscow_segment):
    api = api_as(personas.head)
    created = api.post(
        "/api/v1/assignment-rules",
        {
            "name": "Москва",
            "entity": "company",
            "segment_id": moscow_segment.pk,
            "strategy": "round_robin",
            "manager_ids": [personas.manager1.user_id, personas.manager2.user_id],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["segment"] == {"id": moscow_segment.pk, "name": "Москва"}
    assert [m["name"] for m in body["managers"]] == ["Mila North", "Max South"]
    rule_id = body["id"]
    assert api.get("/api/v1/assignment-rules").json()["count"] == 1
    changed = api.patch(
        f"/api/v1/assignment-rules/{rule_id}",
        {"version": 1, "segment_id": None, "manager_ids": [personas.manager2.user_id], "position": 3},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["segment"] is None and [m["id"] for m in changed.json()["managers"]] == [
        personas.manager2.user_id
    ]
    assert changed.json()["entity"] == "company" and changed.json()["name"] == "Москва"
    assert api.get(f"/api/v1/assignment-rules/{rule_id}").json()["position"] == 3
    assert api_as(personas.manager1).get("/api/v1/assignment-rules").status_code == 403
    assert api_as(personas.readonly).get(f"/api/v1/assignment-rules/{rule_id}").status_code == 403
    assert api.delete(f"/api/v1/assignment-rules/{rule_id}").status_code == 204
    assert not AssignmentRule.objects.exists()


def test_api_assignment_rule_refusals_name_every_bad_field(personas, api_as):
    response = api_as(personas.head).post(
        "/api/v1/assignment-rules",
        {"name": "", "entity": "deal", "strategy": "random", "manager_ids": [personas.other.user_id]},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"name", "entity", "strategy", "managers"}
    assert not AssignmentRule.objects.exists()


def test_settings_lists_cost_the_same_queries_however_many_rows(personas, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(personas.admin)
    managers = [personas.manager1.user_id, personas.manager2.user_id]

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            segment = segment_create(personas.admin, name=f"S{n}{i}", entity="company", definition={})
            assignment_rule_create(personas.admin, name=f"R{n}{i}", segment_id=segment.pk, manager_ids=managers)
            custom_field_create(personas.admin, entity="company", label=f"F{n}{i}", field_type="text")
            status_create(personas.admin, name=f"St{n}{i}")

    add(1)
    urls = ["/clients/settings/assignment-rules/", "/clients/settings/custom-fields/", "/clients/settings/statuses/"]
    for url in urls:  # warm the per-session caches first
        cost(url)
    before = [cost(url) for url in urls]
    add(4)
    assert [cost(url) for url in urls] == before
