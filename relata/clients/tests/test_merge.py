"""Merging two records of one client: choices per field, combined lists, moved relations,
the trace the absorbed record leaves, and every refusal leaving nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from relata.clients import relations
from relata.clients.models import (
    Client,
    ClientEmail,
    ClientMergeLink,
    ClientPhone,
    Consent,
    DuplicatePair,
    Employment,
    ImportBatch,
    ImportRowResult,
    SegmentMember,
)
from relata.clients.relations import register_client_relation, unregistered_relations
from relata.clients.selectors.clients import absorbed_ids
from relata.clients.services.clients import client_create, client_update
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.duplicates import duplicates_find
from relata.clients.services.merge import client_merge, merge_plan
from relata.clients.services.segments import segment_add_clients, segment_create
from relata.core.concurrency import StaleVersion
from relata.core.models import Event
from relata.core.selectors.events import record_events

INN = "7707083893"


def company(actor: Any, name: str, **values: Any) -> Client:
    return client_create(actor, kind="company", values={"name": name, **values})


def person(actor: Any, last: str, first: str, **values: Any) -> Client:
    return client_create(actor, kind="person", values={"last_name": last, "first_name": first, **values})


def state() -> dict[str, Any]:
    """What a refused merge must leave exactly as it was."""
    return {
        "clients": sorted(Client.objects.values_list("pk", "name", "version", "inn", "owner_id", "parent_id")),
        "phones": sorted(ClientPhone.objects.values_list("pk", "client_id", "is_primary")),
        "emails": sorted(ClientEmail.objects.values_list("pk", "client_id")),
        "employments": sorted(Employment.objects.values_list("pk", "person_id", "company_id")),
        "segments": sorted(SegmentMember.objects.values_list("pk", "client_id")),
        "pairs": sorted(DuplicatePair.objects.values_list("pk", "client_a_id", "client_b_id")),
        "links": ClientMergeLink.objects.count(),
        "events": Event.objects.count(),
    }


@pytest.fixture
def twins(personas):
    """Two records of one company, each knowing something the other does not."""
    m1 = personas.manager1
    custom_field_create(personas.admin, entity="company", label="Регион продаж", field_type="text", key="region")
    custom_field_create(personas.admin, entity="company", label="Канал", field_type="text", key="channel")
    survivor = company(
        m1,
        "ООО «Кирпичный двор»",
        inn=INN,
        industry="Стройматериалы",
        phones=[{"number": "+7 916 100-00-01", "is_primary": True}, "+7 495 100-00-02"],
        emails=["sales@kirpich.test"],
        addresses=[{"city": "Москва", "street": "Тверская, 1"}],
        messengers=[{"kind": "telegram", "handle": "@kirpich"}],
        tags="опт",
        custom={"region": "Центр"},
    )
    absorbed = company(
        m1,
        "Кирпичный Двор ООО",
        inn=INN,
        website="https://kirpich.test",
        headcount="120",
        source="выставка",
        phones=["+7 916 100-00-01", "+7 812 300-00-03"],
        emails=["SALES@kirpich.test", "boss@kirpich.test"],
        addresses=[{"city": "москва", "street": "Тверская,  1"}, {"city": "Тула", "street": "Ленина, 5"}],
        messengers=[{"kind": "telegram", "handle": "kirpich"}, {"kind": "whatsapp", "handle": "+79161000001"}],
        tags="опт, бетон",
        custom={"region": "Север", "channel": "сайт"},
    )
    return survivor, absorbed


def merge(actor: Any, survivor: Client, absorbed: Client, **kwargs: Any) -> Client:
    survivor.refresh_from_db()
    return client_merge(actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version, **kwargs)


# --- Fields and lists -----------------------------------------------------------------


def test_fields_are_chosen_per_field_and_empty_ones_filled(personas, twins):
    survivor, absorbed = twins
    merged = merge(personas.manager1, survivor, absorbed, choices={"name": "absorbed", "custom.region": "absorbed"})
    assert merged.pk == survivor.pk and merged.version == survivor.version + 1
    assert merged.name == "Кирпичный Двор ООО"  # chosen
    assert merged.industry == "Стройматериалы"  # the survivor's by default
    assert (merged.website, merged.headcount, merged.source) == ("https://kirpich.test", 120, "выставка")  # filled
    assert merged.custom == {"region": "Север", "channel": "сайт"}
    assert merged.match_name == "кирпичный двор"  # derived columns follow
    assert not Client.objects.filter(pk=absorbed.pk).exists()


def test_lists_are_combined_without_repeats(personas, twins):
    survivor, absorbed = twins
    consent_mine = Consent.objects.create(
        workspace=survivor.workspace, client=survivor, channel="email", granted=True, changed_at=timezone.now()
    )
    Consent.objects.create(
        workspace=survivor.workspace,
        client=absorbed,
        channel="email",
        granted=False,
        changed_at=timezone.now() - dt.timedelta(days=30),  # older: the survivor's decision stands
    )
    Consent.objects.create(
        workspace=survivor.workspace,
        client=absorbed,
        channel="sms",
        granted=False,
        changed_at=timezone.now() - dt.timedelta(days=1),
    )
    merged = merge(personas.manager1, survivor, absorbed)
    assert list(merged.phones.values_list("number", "is_primary")) == [
        ("+79161000001", True),
        ("+74951000002", False),
        ("+78123000003", False),
    ]
    assert sorted(merged.emails.values_list("email", flat=True)) == ["boss@kirpich.test", "sales@kirpich.test"]
    assert sorted(a.city for a in merged.addresses.all()) == ["Москва", "Тула"]
    assert sorted(m.handle for m in merged.messengers.all()) == ["+79161000001", "@kirpich"]
    assert sorted(merged.tags.values_list("name", flat=True)) == ["бетон", "опт"]
    consents = {c.channel: c for c in merged.consents.all()}
    assert consents["email"].pk == consent_mine.pk and consents["sms"].granted is False
    assert merged.primary_phone == "+79161000001" and merged.city == "Москва"
    assert "+78123000003".lstrip("+") in merged.search_text


def test_the_merge_plan_shows_differences_and_what_is_combined(personas, twins):
    survivor, absorbed = twins
    plan = merge_plan(personas.manager1, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    differing = {f.key: f for f in plan.differing}
    assert {"name", "website", "headcount", "source", "custom.region", "custom.channel"} <= set(differing)
    assert "inn" not in differing and plan.field("inn") in plan.same
    assert differing["name"].default == "survivor" and differing["website"].default == "absorbed"
    assert differing["custom.region"].label == "Регион продаж"
    lists = {item.key: item for item in plan.lists}
    assert lists["phones"].added == ["+7 812 300-00-03"] and len(lists["phones"].kept) == 2
    assert lists["emails"].added == ["boss@kirpich.test"] and lists["tags"].added == ["бетон"]


def test_employments_subsidiaries_segments_and_import_rows_move(personas, twins):
    m1 = personas.manager1
    survivor, absorbed = twins
    anna = person(m1, "Зенина", "Анна", companies=[{"company": absorbed.pk, "job_title": "Закупщик"}])
    oleg = person(
        m1,
        "Орлов",
        "Олег",
        companies=[{"company": survivor.pk}, {"company": absorbed.pk, "job_title": "Директор"}],
    )
    branch = company(m1, "Кирпичный двор — Тула", parent=absorbed.pk)
    client_update(m1, survivor.pk, version=survivor.version, values={"parent": ""})
    both = segment_create(m1, name="Оба", entity="company", kind="static")
    only_absorbed = segment_create(m1, name="Один", entity="company", kind="static")
    segment_add_clients(m1, both.pk, [survivor.pk, absorbed.pk])
    segment_add_clients(m1, only_absorbed.pk, [absorbed.pk])
    batch = ImportBatch.objects.create(
        workspace=m1.workspace, created_by=m1.user, entity="company", original_name="base.csv", file_format="csv"
    )
    row = ImportRowResult.objects.create(
        workspace=m1.workspace, batch=batch, row_number=1, action="created", client=absorbed
    )
    merge(m1, survivor, absorbed)
    assert list(Employment.objects.filter(person=anna).values_list("company_id", "job_title")) == [
        (survivor.pk, "Закупщик")
    ]
    # Oleg worked at both: one job remains, the empty title filled from the other.
    assert list(Employment.objects.filter(person=oleg).values_list("company_id", "job_title")) == [
        (survivor.pk, "Директор")
    ]
    branch.refresh_from_db()
    assert branch.parent_id == survivor.pk
    assert sorted(SegmentMember.objects.values_list("segment_id", "client_id")) == sorted(
        [(both.pk, survivor.pk), (only_absorbed.pk, survivor.pk)]
    )
    row.refresh_from_db()
    assert row.client_id == survivor.pk


def test_merging_two_people_moves_their_jobs(personas):
    m1 = personas.manager1
    firm = company(m1, "Ромашка")
    other = company(m1, "Лютик")
    a = person(m1, "Смирнов", "Олег", companies=[{"company": firm.pk}])
    b = person(m1, "Смирнов", "Олег", middle_name="Ильич", companies=[{"company": other.pk, "job_title": "Инженер"}])
    merged = merge(m1, a, b, choices={"middle_name": "absorbed"})
    assert merged.name == "Смирнов Олег Ильич"  # a person's name follows the chosen parts
    assert sorted(Employment.objects.filter(person=merged).values_list("company_id", flat=True)) == sorted(
        [firm.pk, other.pk]
    )


def test_a_subsidiary_merged_into_its_parent_loses_the_parent_link(personas):
    m1 = personas.manager1
    parent = company(m1, "Холдинг")
    child = company(m1, "Холдинг (дубль)", parent=parent.pk)
    merged = merge(m1, parent, child, choices={"parent": "absorbed"})
    assert merged.parent_id is None


def test_a_parent_that_would_close_a_cycle_is_refused(personas):
    m1 = personas.manager1
    survivor, absorbed = company(m1, "Альфа"), company(m1, "Альфа (дубль)")
    grandchild = company(m1, "Дочка дубля", parent=absorbed.pk)
    survivor.refresh_from_db()
    client_update(m1, survivor.pk, version=survivor.version, values={"parent": grandchild.pk})
    before = state()
    with pytest.raises(ValidationError) as error:
        merge(m1, survivor, absorbed)
    assert "parent" in error.value.message_dict
    assert state() == before


# --- The trace of the absorbed record -------------------------------------------------


def test_the_absorbed_id_leads_to_the_survivor_and_its_history_stays(personas, twins, client_as, api_as):
    survivor, absorbed = twins
    DuplicatePair.objects.all().delete()
    duplicates_find(personas.admin)
    assert DuplicatePair.objects.count() == 1
    merge(personas.manager1, survivor, absorbed, choices={"name": "absorbed"})
    assert DuplicatePair.objects.count() == 0
    link = ClientMergeLink.objects.get()
    assert (link.absorbed_id, link.survivor_id, link.absorbed_name) == (absorbed.pk, survivor.pk, absorbed.name)
    assert link.snapshot["website"] == "https://kirpich.test" and link.merged_by_id == personas.manager1.user_id
    # The card of the old id redirects; the API answers with the survivor.
    page = client_as(personas.manager1).get(f"/clients/{absorbed.pk}/")
    assert page.status_code == 302 and page["Location"] == f"/clients/{survivor.pk}/"
    assert api_as(personas.manager1).get(f"/api/v1/companies/{absorbed.pk}").json()["id"] == survivor.pk
    # The survivor's timeline holds both records' past and the merge itself.
    events = record_events(personas.manager1, survivor, extra_ids=absorbed_ids(personas.manager1, survivor))
    assert [(e.kind, e.target_id) for e in events if e.kind == "client.created"] == [
        ("client.created", absorbed.pk),
        ("client.created", survivor.pk),
    ]
    merged = Event.objects.get(kind="client.merged")
    assert merged.target_id == survivor.pk and merged.actor_id == personas.manager1.user_id
    assert merged.data["absorbed_id"] == absorbed.pk and merged.data["absorbed"]["source"] == "выставка"
    assert merged.data["choices"]["name"] == "absorbed" and merged.data["choices"]["website"] == "absorbed"
    assert merged.changes["name"] == ["ООО «Кирпичный двор»", "Кирпичный Двор ООО"]
    timeline = client_as(personas.manager1).get(f"/clients/{survivor.pk}/timeline/").content.decode()
    assert "Clients merged" in timeline


def test_merges_chain(personas):
    m1 = personas.manager1
    first, second, third = company(m1, "Альфа"), company(m1, "Альфа 1"), company(m1, "Альфа 2")
    merge(m1, second, first)
    merge(m1, third, second)
    assert sorted(absorbed_ids(m1, third)) == sorted([first.pk, second.pk])
    from relata.clients.selectors.clients import client_get

    assert client_get(m1, first.pk).pk == third.pk


# --- Refusals -------------------------------------------------------------------------


def test_bad_pairs_are_refused_and_nothing_is_written(personas, twins):
    m1 = personas.manager1
    survivor, absorbed = twins
    someone = person(m1, "Зенина", "Анна")
    theirs = company(personas.manager2, "Кирпичный двор")
    before = state()
    with pytest.raises(ValidationError) as error:
        client_merge(m1, survivor_id=survivor.pk, absorbed_id=survivor.pk, version=survivor.version)
    assert "absorbed_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        client_merge(m1, survivor_id=survivor.pk, absorbed_id=someone.pk, version=survivor.version)
    assert "absorbed_id" in error.value.message_dict
    with pytest.raises(Http404):
        client_merge(m1, survivor_id=survivor.pk, absorbed_id=theirs.pk, version=survivor.version)
    with pytest.raises(PermissionDenied):
        client_merge(personas.readonly, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version)
    with pytest.raises(StaleVersion):
        client_merge(m1, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version - 1)
    with pytest.raises(StaleVersion):
        client_merge(
            m1, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version, absorbed_version=99
        )
    with pytest.raises(ValidationError) as error:
        client_merge(
            m1,
            survivor_id=survivor.pk,
            absorbed_id=absorbed.pk,
            version=survivor.version,
            choices={"colour": "absorbed", "name": "both"},
        )
    assert set(error.value.message_dict) == {"choices.colour", "choices.name"}
    assert state() == before


def test_taking_the_other_records_owner_needs_the_assign_permission(personas):
    role = personas.manager1.role
    role.scope = "all"  # manager 1 now sees manager 2's clients, but may not reassign them
    role.save()
    mine = company(personas.manager1, "Альфа")
    theirs = company(personas.manager2, "Альфа")
    before = state()
    with pytest.raises(PermissionDenied):
        merge(personas.manager1, mine, theirs, choices={"owner": "absorbed"})
    assert state() == before
    merged = merge(personas.head, mine, theirs, choices={"owner": "absorbed"})
    assert merged.owner_id == personas.manager2.user_id


def test_a_foreign_key_nobody_registered_stops_the_merge(personas, twins, monkeypatch):
    survivor, absorbed = twins
    batch = ImportBatch.objects.create(
        workspace=survivor.workspace, created_by=personas.admin.user, entity="company", original_name="x.csv"
    )
    ImportRowResult.objects.create(
        workspace=survivor.workspace, batch=batch, row_number=1, action="created", client=absorbed
    )
    registered = dict(relations._RELATIONS)
    registered.pop("clients.importrowresult.client")
    monkeypatch.setattr(relations, "_RELATIONS", registered)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        merge(personas.manager1, survivor, absorbed)
    assert "would be lost" in error.value.messages[0]
    assert state() == before


def test_every_foreign_key_to_a_client_is_registered_for_the_merge():
    """A model of any app pointing at a client must tell the merge how to move its rows
    (`relata.clients.relations.register_client_relation`)."""
    assert unregistered_relations() == []


def test_only_foreign_keys_can_be_registered():
    with pytest.raises(TypeError):
        register_client_relation(Client, "name")


# --- Pages ----------------------------------------------------------------------------


def test_the_merge_page_compares_and_merges(personas, twins, client_as):
    survivor, absorbed = twins
    duplicates_find(personas.admin)
    client = client_as(personas.manager1)
    page = client.get("/clients/merge/", {"a": survivor.pk, "b": absorbed.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="choice_name"' in body and 'name="choice_custom.region"' in body and "Регион продаж" in body
    assert 'name="choice_inn"' not in body  # the same in both: nothing to choose
    assert "+7 812 300-00-03" in body and 'data-testid="merge-dismiss"' in body
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    post = {
        "survivor": survivor.pk,
        "absorbed": absorbed.pk,
        "version": survivor.version,
        "absorbed_version": absorbed.version,
        "choice_name": "absorbed",
        "choice_industry": "survivor",
    }
    response = client.post("/clients/merge/", post)
    assert response.status_code == 302 and response["Location"] == f"/clients/{survivor.pk}/"
    assert Client.objects.get(pk=survivor.pk).name == "Кирпичный Двор ООО"
    assert not Client.objects.filter(pk=absorbed.pk).exists()


def test_the_merge_page_refuses_stale_and_bad_requests(personas, twins, client_as):
    survivor, absorbed = twins
    client, manager2, readonly = (client_as(p) for p in (personas.manager1, personas.manager2, personas.readonly))
    survivor.refresh_from_db()
    stale = {"survivor": survivor.pk, "absorbed": absorbed.pk, "version": survivor.version - 1}
    before = state()  # (after the log-ins: they are events too)
    response = client.post("/clients/merge/", stale)
    assert response.status_code == 409 and "changed while you were comparing" in response.content.decode()
    response = client.post("/clients/merge/", {**stale, "version": survivor.version, "absorbed": survivor.pk})
    assert response.status_code == 400 and "two different clients" in response.content.decode()
    response = client.get("/clients/merge/", {"a": survivor.pk, "b": "nothing"})
    assert response.status_code == 400
    assert client.get("/clients/merge/").status_code == 200  # the form to name two clients
    started = client.get("/clients/merge/", {"a": survivor.pk})  # from a card: the other one to choose
    assert started.status_code == 200 and f"'{survivor.pk}'" in started.content.decode()
    assert manager2.get("/clients/merge/", {"a": survivor.pk, "b": absorbed.pk}).status_code == 404
    assert readonly.get("/clients/merge/", {"a": survivor.pk, "b": absorbed.pk}).status_code == 403
    assert state() == before


# --- API ------------------------------------------------------------------------------


def test_the_api_previews_and_merges(personas, twins, api_as):
    survivor, absorbed = twins
    api = api_as(personas.manager1)
    preview = api.get("/api/v1/clients/merge/preview", {"survivor_id": survivor.pk, "absorbed_id": absorbed.pk})
    assert preview.status_code == 200
    fields = {f["key"]: f for f in preview.json()["fields"]}
    assert fields["headcount"] == {
        "key": "headcount",
        "label": "Headcount",
        "survivor": None,
        "absorbed": 120,
        "differs": True,
        "default": "absorbed",
    }
    survivor.refresh_from_db()
    body = {"survivor_id": survivor.pk, "absorbed_id": absorbed.pk, "version": survivor.version}
    readonly, manager2 = api_as(personas.readonly), api_as(personas.manager2)  # (their tokens are events)
    before = state()
    bad = api.post("/api/v1/clients/merge", {**body, "choices": {"name": "both"}})
    assert bad.status_code == 422 and "choices.name" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/merge", {**body, "choices": {"colour": "absorbed"}})
    assert bad.status_code == 422 and "choices.colour" in bad.json()["error"]["fields"]
    stale = api.post("/api/v1/clients/merge", {**body, "version": survivor.version - 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert readonly.post("/api/v1/clients/merge", body).status_code == 403
    assert manager2.post("/api/v1/clients/merge", body).status_code == 404
    assert state() == before
    done = api.post("/api/v1/clients/merge", {**body, "choices": {"name": "absorbed"}})
    assert done.status_code == 200, done.content
    assert done.json()["survivor"]["name"] == "Кирпичный Двор ООО" and done.json()["absorbed_id"] == absorbed.pk
    assert done.json()["survivor"]["version"] == survivor.version + 1
