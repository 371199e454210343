"""Assignment of new clients by rules: segment match, round-robin and least-loaded
distribution, inactive managers and rules skipped, the creator without a matching rule,
an explicit owner bypassing the rules; forms, the API and imports all use them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from relata.clients.models import AssignmentRule, Client, LifecycleStatus
from relata.clients.services.assignment import (
    assignment_pick_owners,
    assignment_rule_create,
    assignment_rule_update,
)
from relata.clients.services.clients import client_create
from relata.clients.services.custom_fields import custom_field_create, custom_field_update
from relata.clients.services.segments import segment_create
from relata.core.services.members import member_deactivate


def company(actor, name="ООО «Ромашка»", **values):
    return client_create(actor, kind="company", values={"name": name, **values})


def in_city(city):
    return {"addresses": [{"kind": "legal", "city": city}]}


@pytest.fixture
def moscow(personas):
    return segment_create(
        personas.admin,
        name="Москва",
        entity="company",
        definition={"conditions": [{"field": "city", "op": "eq", "value": "Москва"}]},
    )


def test_without_rules_the_creator_owns_the_client(personas):
    assert company(personas.manager1).owner_id == personas.manager1.user_id


def test_round_robin_takes_turns_across_creations(personas):
    m1, m2 = personas.manager1.user_id, personas.manager2.user_id
    assignment_rule_create(personas.admin, name="Все", manager_ids=[m2, m1])
    owners = [company(personas.admin, f"Client {n}").owner_id for n in range(5)]
    assert owners == [m1, m2, m1, m2, m1]


def test_the_first_matching_rule_by_order_wins_and_segments_are_matched(personas, moscow):
    m1, m2, head = personas.manager1.user_id, personas.manager2.user_id, personas.head.user_id
    assignment_rule_create(personas.admin, name="Остальные", manager_ids=[m2], position=20)
    assignment_rule_create(personas.admin, name="Москва", segment_id=moscow.pk, manager_ids=[m1], position=10)
    assignment_rule_create(personas.admin, name="Never reached", manager_ids=[head], position=30)
    assert company(personas.admin, "Москвич", **in_city("Москва")).owner_id == m1
    assert company(personas.admin, "Казанец", **in_city("Казань")).owner_id == m2
    assert company(personas.admin, "Без адреса").owner_id == m2


def test_a_rule_for_people_leaves_companies_alone(personas):
    assignment_rule_create(personas.admin, name="Люди", entity="person", manager_ids=[personas.manager2.user_id])
    person = client_create(personas.admin, kind="person", values={"last_name": "Иванов"})
    assert person.owner_id == personas.manager2.user_id
    assert company(personas.admin).owner_id == personas.admin.user_id


def test_least_loaded_gives_the_client_to_the_manager_with_fewest_clients(personas):
    m1, m2 = personas.manager1.user_id, personas.manager2.user_id
    company(personas.manager1, "A")
    company(personas.manager1, "B")
    company(personas.manager2, "C")
    assignment_rule_create(personas.admin, name="Поровну", strategy="least_loaded", manager_ids=[m1, m2])
    assert company(personas.admin, "D").owner_id == m2  # 2 against 1
    assert company(personas.admin, "E").owner_id == m1  # 2 against 2: the first of them
    assert company(personas.admin, "F").owner_id == m2


def test_inactive_managers_are_skipped_and_a_rule_without_active_managers_passes(personas):
    m1, m2 = personas.manager1.user_id, personas.manager2.user_id
    assignment_rule_create(personas.admin, name="Двое", manager_ids=[m1, m2], position=10)
    assignment_rule_create(personas.admin, name="Запасное", manager_ids=[personas.head.user_id], position=20)
    member_deactivate(personas.admin, m1)
    assert [company(personas.admin, f"C{n}").owner_id for n in range(3)] == [m2, m2, m2]
    member_deactivate(personas.admin, m2)
    assert company(personas.admin, "C3").owner_id == personas.head.user_id


def test_an_inactive_rule_is_not_used(personas):
    rule = assignment_rule_create(personas.admin, name="Все", manager_ids=[personas.manager1.user_id])
    assignment_rule_update(
        personas.admin,
        rule.pk,
        version=rule.version,
        name=rule.name,
        strategy=rule.strategy,
        manager_ids=[personas.manager1.user_id],
        position=rule.position,
        is_active=False,
    )
    assert company(personas.head).owner_id == personas.head.user_id


def test_an_owner_given_explicitly_bypasses_the_rules(personas):
    assignment_rule_create(personas.admin, name="Все", manager_ids=[personas.manager1.user_id])
    given = company(personas.head, owner=personas.manager2.user_id)
    assert given.owner_id == personas.manager2.user_id
    rule = AssignmentRule.objects.get()
    assert rule.next_index == 0  # the turn was not used up


def test_a_segment_with_search_text_is_matched_with_it(personas):
    segment = segment_create(
        personas.admin, name="Кирпич", entity="company", definition={"conditions": [], "text": "кирпич"}
    )
    assignment_rule_create(
        personas.admin, name="Кирпич", segment_id=segment.pk, manager_ids=[personas.manager1.user_id]
    )
    assert company(personas.admin, "Кирпичный двор").owner_id == personas.manager1.user_id
    assert company(personas.admin, "Бетонный двор").owner_id == personas.admin.user_id


def test_a_segment_that_no_longer_makes_sense_skips_its_rule_without_blocking_creation(personas):
    definition = custom_field_create(personas.admin, entity="company", label="Регион", field_type="text")
    segment = segment_create(
        personas.admin,
        name="Регион 77",
        entity="company",
        definition={"conditions": [{"field": "custom.region", "op": "eq", "value": "77"}]},
    )
    assignment_rule_create(personas.admin, name="77", segment_id=segment.pk, manager_ids=[personas.manager1.user_id])
    assert company(personas.admin, "A", custom={"region": "77"}).owner_id == personas.manager1.user_id
    custom_field_update(
        personas.admin, definition.pk, version=definition.version, label="Регион", position=10, is_active=False
    )
    created = company(personas.admin, "B")
    assert created.owner_id == personas.admin.user_id


def test_the_form_uses_the_rules_when_no_owner_is_chosen(personas, client_as):
    assignment_rule_create(personas.admin, name="Все", manager_ids=[personas.manager2.user_id])
    client = client_as(personas.head)
    status = LifecycleStatus.objects.get(workspace=personas.head.workspace, key="cold")
    response = client.post("/clients/companies/new/", {"name": "Из формы", "status": status.pk, "owner": ""})
    assert response.status_code == 302, response.content.decode()[:1000]
    assert Client.objects.get(name="Из формы").owner_id == personas.manager2.user_id


def test_the_api_uses_the_rules_unless_an_owner_is_given(personas, api_as):
    m1, m2 = personas.manager1.user_id, personas.manager2.user_id
    assignment_rule_create(personas.admin, name="Все", manager_ids=[m1, m2])
    api = api_as(personas.head)
    first = api.post("/api/v1/companies", {"name": "API 1"}).json()
    second = api.post("/api/v1/people", {"last_name": "Петров"}).json()
    given = api.post("/api/v1/companies", {"name": "API 3", "owner_id": personas.head.user_id}).json()
    assert (first["owner"]["id"], second["owner"]["id"], given["owner"]["id"]) == (m1, m2, personas.head.user_id)


# --- Rules refused ------------------------------------------------------------------------


def test_rules_need_the_assign_permission(personas):
    with pytest.raises(PermissionDenied):
        assignment_rule_create(personas.manager1, name="Мне", manager_ids=[personas.manager1.user_id])
    assert not AssignmentRule.objects.exists()


def test_a_static_segment_or_a_colleagues_private_one_is_refused(personas):
    static = segment_create(personas.admin, name="Список", entity="company", kind="static")
    private = segment_create(personas.admin, name="Мой", entity="company", definition={}, is_shared=False)
    for segment, message in ((static, "dynamic segment"), (private, "segment of this workspace")):
        with pytest.raises(ValidationError) as refused:
            assignment_rule_create(
                personas.head, name="X", segment_id=segment.pk, manager_ids=[personas.manager1.user_id]
            )
        assert message in str(refused.value.message_dict["segment"])
    assert not AssignmentRule.objects.exists()


def test_a_rule_keeps_a_segment_its_editor_cannot_see(personas):
    private = segment_create(personas.admin, name="Мой", entity="company", definition={}, is_shared=False)
    rule = assignment_rule_create(
        personas.admin, name="X", segment_id=private.pk, manager_ids=[personas.manager1.user_id]
    )
    changed = assignment_rule_update(
        personas.head,
        rule.pk,
        version=rule.version,
        name="Y",
        segment_id=private.pk,
        strategy="round_robin",
        manager_ids=[personas.manager2.user_id],
        position=10,
        is_active=True,
    )
    assert changed.segment_id == private.pk and changed.name == "Y"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"manager_ids": []}, "managers"),
        ({"position": -5}, "position"),
        ({"position": 40000}, "position"),
        ({"name": "x" * 151}, "name"),
        ({"strategy": "random"}, "strategy"),
    ],
)
def test_a_bad_rule_change_writes_nothing(personas, change, field):
    rule = assignment_rule_create(personas.admin, name="Все", manager_ids=[personas.manager1.user_id])
    values = {
        "version": rule.version,
        "name": "Все",
        "strategy": "round_robin",
        "manager_ids": [personas.manager2.user_id],
        "position": 10,
        "is_active": True,
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        assignment_rule_update(personas.admin, rule.pk, **values)
    assert field in refused.value.message_dict
    rule.refresh_from_db()
    assert (rule.name, rule.version, rule.position) == ("Все", 1, 10)
    assert list(rule.managers.values_list("pk", flat=True)) == [personas.manager1.user_id]


def test_many_clients_at_once_get_the_owners_one_by_one_would(personas, moscow):
    """What an import chunk uses: the same turns and loads as creating the clients one by one."""
    m1, m2, head = personas.manager1.user_id, personas.manager2.user_id, personas.head.user_id
    assignment_rule_create(personas.admin, name="Москва", segment_id=moscow.pk, manager_ids=[m1, m2], position=10)
    assignment_rule_create(personas.admin, name="Прочие", strategy="least_loaded", manager_ids=[m2, head], position=20)
    company(personas.head, "Head's own")
    clients = [
        company(personas.admin, "M1", owner=personas.admin.user_id, **in_city("Москва")),
        company(personas.admin, "K1", owner=personas.admin.user_id, **in_city("Казань")),
        company(personas.admin, "M2", owner=personas.admin.user_id, **in_city("Москва")),
        company(personas.admin, "K2", owner=personas.admin.user_id),
        company(personas.admin, "M3", owner=personas.admin.user_id, **in_city("Москва")),
    ]
    owners = assignment_pick_owners(personas.admin.workspace_id, clients)
    assert [owners[c.pk] for c in clients] == [m1, m2, m2, head, m1]
    assert AssignmentRule.objects.get(name="Москва").next_index == 1  # three turns of two managers


def test_an_import_uses_the_rules_for_rows_without_an_owner(personas, moscow):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relata.clients.services.imports import import_start, import_upload
    from relata.core import jobs

    m1, m2 = personas.manager1.user_id, personas.manager2.user_id
    assignment_rule_create(personas.admin, name="Москва", segment_id=moscow.pk, manager_ids=[m1], position=10)
    assignment_rule_create(personas.admin, name="Прочие", manager_ids=[m2], position=20)
    data = "Название;Город\nМосквич;Москва\nКазанец;Казань\n".encode()
    batch = import_upload(personas.head, kind="company", upload=SimpleUploadedFile("clients.csv", data))
    jobs.execute(import_start(personas.head, batch.pk).pk)
    assert dict(Client.objects.values_list("name", "city")) == {"Москвич": "Москва", "Казанец": "Казань"}
    owners = dict(Client.objects.values_list("name", "owner_id"))
    assert owners == {"Москвич": m1, "Казанец": m2}
