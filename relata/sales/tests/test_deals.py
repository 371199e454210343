"""Deals through the services: create, change, move with required fields and the stage
history, win, lose with a reason, reopen; bad input writes nothing."""

from __future__ import annotations

import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from relata.activities.tests.helpers import company, person
from relata.core.concurrency import StaleVersion
from relata.core.models import Event
from relata.sales.models import Deal, DealStatus, StageVisit
from relata.sales.services.deals import deal_lose, deal_move, deal_reopen, deal_update, deal_win
from relata.sales.tests.helpers import deal, pipeline, reason, stages


def test_a_new_workspace_has_a_pipeline_with_stages_and_loss_reasons(personas):
    names = [s.name for s in stages(personas.admin)]
    assert names == ["New", "Qualification", "Commercial offer", "Negotiation", "Contract and invoice"]
    assert reason(personas.admin).display_name == "Price too high"


def test_create_a_deal_at_the_first_stage_with_its_history(personas):
    client = company(personas.manager1)
    contact = person(personas.manager1, "Петров", client.pk)
    created = deal(
        personas.manager1, client=client.pk, contacts=[contact.pk], amount="1 250 000,50", competitors="А, Б"
    )
    first = stages(personas.manager1)[0]
    assert created.stage == first and created.probability == first.probability
    assert created.owner_id == personas.manager1.user_id and created.currency == "RUB"
    assert created.amount == decimal.Decimal("1250000.50") and created.competitors == ["А", "Б"]
    assert list(created.contact_links.values_list("person_id", flat=True)) == [contact.pk]
    visit = StageVisit.objects.get(deal=created)
    assert visit.stage == first and visit.left_at is None and visit.entered_by_id == personas.manager1.user_id
    assert Event.objects.filter(kind="deal.created", target_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "много"}, "amount"),
        ({"currency": "RUBL"}, "currency"),
        ({"probability": "101"}, "probability"),
        ({"expected_close_date": "31.02.2027"}, "expected_close_date"),
        ({"competitors": ["x" * 101]}, "competitors"),
        ({"client": 999_999}, "client"),
        ({"stage": 999_999}, "stage"),
        ({"pipeline": 999_999}, "pipeline"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(personas, values, field):
    with pytest.raises(ValidationError) as caught:
        deal(personas.manager1, **values)
    assert field in caught.value.message_dict
    assert not Deal.objects.exists() and not StageVisit.objects.exists()


def test_a_client_or_contact_outside_the_scope_is_refused(personas):
    theirs = company(personas.manager2, "ООО «Чужой»")
    with pytest.raises(ValidationError) as caught:
        deal(personas.manager1, client=theirs.pk)
    assert "client" in caught.value.message_dict
    with pytest.raises(ValidationError):
        deal(personas.manager1, contacts=[theirs.pk])  # a company is not a contact person
    assert not Deal.objects.exists()


def test_giving_a_deal_to_a_colleague_needs_the_assign_permission(personas):
    with pytest.raises(PermissionDenied):
        deal(personas.manager1, owner=personas.manager2.user_id)
    handed = deal(personas.head, owner=personas.manager2.user_id)
    assert handed.owner_id == personas.manager2.user_id


def test_move_writes_the_history_and_takes_the_stage_probability(personas):
    created = deal(personas.manager1)
    first, second, third = stages(personas.manager1)[:3]
    moved = deal_move(personas.manager1, created.pk, stage_id=third.pk, version=created.version)
    assert moved.stage == third and moved.probability == third.probability and moved.version == 2
    visits = list(StageVisit.objects.filter(deal=created).order_by("entered_at", "id"))
    assert [v.stage for v in visits] == [first, third]
    assert visits[0].left_at is not None and visits[0].left_by_id == personas.manager1.user_id
    assert visits[1].left_at is None
    event = Event.objects.get(kind="deal.stage_changed", target_id=str(created.pk))
    assert event.changes["stage"] == [first.pk, third.pk]
    back = deal_move(personas.manager1, created.pk, stage_id=second.pk, version=moved.version)
    assert back.stage == second and StageVisit.objects.filter(deal=created).count() == 3


def test_a_stage_with_required_fields_asks_for_them(personas):
    created = deal(personas.manager1)
    target = stages(personas.manager1)[2]
    target.required_fields = ["amount", "expected_close_date", "contacts"]
    target.save()
    with pytest.raises(ValidationError) as caught:
        deal_move(personas.manager1, created.pk, stage_id=target.pk, version=created.version)
    assert set(caught.value.message_dict) == {"amount", "expected_close_date", "contacts"}
    created.refresh_from_db()
    assert created.stage != target and created.version == 1 and StageVisit.objects.filter(deal=created).count() == 1
    contact = person(personas.manager1, "Сидоров")
    moved = deal_move(
        personas.manager1,
        created.pk,
        stage_id=target.pk,
        version=1,
        values={"amount": "100", "expected_close_date": "2027-01-15", "contacts": [contact.pk]},
    )
    assert moved.stage == target and moved.amount == 100 and moved.contact_links.count() == 1
    # Once there, the required fields cannot be emptied by an edit.
    with pytest.raises(ValidationError) as caught:
        deal_update(personas.manager1, created.pk, version=moved.version, values={"amount": ""})
    assert "amount" in caught.value.message_dict


def test_a_concurrent_move_is_refused_with_the_current_state(personas):
    created = deal(personas.manager1)
    second, third = stages(personas.manager1)[1:3]
    deal_move(personas.head, created.pk, stage_id=third.pk, version=1)
    with pytest.raises(StaleVersion) as caught:
        deal_move(personas.manager1, created.pk, stage_id=second.pk, version=1)
    assert caught.value.current_version == 2
    created.refresh_from_db()
    assert created.stage == third and StageVisit.objects.filter(deal=created).count() == 2


def test_lost_needs_a_reason_and_keeps_its_stage(personas):
    created = deal(personas.manager1)
    third = stages(personas.manager1)[2]
    moved = deal_move(personas.manager1, created.pk, stage_id=third.pk, version=1)
    with pytest.raises(ValidationError) as caught:
        deal_lose(personas.manager1, created.pk, version=moved.version, reason=None)
    assert "loss_reason" in caught.value.message_dict
    other_workspace_reason = reason(personas.other)
    with pytest.raises(ValidationError):
        deal_lose(personas.manager1, created.pk, version=moved.version, reason=other_workspace_reason.pk)
    assert Deal.objects.get(pk=created.pk).status == DealStatus.OPEN
    price = reason(personas.manager1).pk
    lost = deal_lose(personas.manager1, created.pk, version=moved.version, reason=price, note="Дорого")
    assert lost.status == DealStatus.LOST and lost.stage == third and lost.probability == 0 and lost.closed_at
    assert not StageVisit.objects.filter(deal=created, left_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        deal_move(personas.manager1, created.pk, stage_id=stages(personas.manager1)[0].pk, version=lost.version)
    reopened = deal_reopen(personas.manager1, created.pk, version=lost.version)
    assert reopened.status == DealStatus.OPEN and reopened.loss_reason is None and reopened.stage == third
    assert StageVisit.objects.filter(deal=created, left_at__isnull=True).count() == 1


def test_won_closes_with_full_probability(personas):
    created = deal(personas.manager1)
    won = deal_win(personas.manager1, created.pk, version=1)
    assert won.status == DealStatus.WON and won.probability == 100 and won.closed_at is not None
    with pytest.raises(ValidationError):
        deal_win(personas.manager1, created.pk, version=won.version)


def test_others_deals_are_invisible_and_readers_cannot_write(personas):
    created = deal(personas.manager1)
    with pytest.raises(Http404):
        deal_update(personas.manager2, created.pk, version=1, values={"title": "Моё"})
    with pytest.raises(PermissionDenied):
        deal_update(personas.readonly, created.pk, version=1, values={"title": "Моё"})
    with pytest.raises(Http404):
        deal_update(personas.other, created.pk, version=1, values={"title": "Моё"})
    assert Deal.objects.get(pk=created.pk).title == "Кирпич М150, 3 вагона"


def test_the_pipeline_helper_is_the_default_one(personas):
    assert pipeline(personas.admin).stages.count() == 5


def _conveyor(member, team, policy="round_robin"):
    from relata.sales.models import Pipeline, SalesMode, Stage

    line = Pipeline.objects.create(workspace_id=member.workspace_id, name="Конвейер", mode=SalesMode.CONVEYOR)
    calls = Stage.objects.create(workspace_id=member.workspace_id, pipeline=line, name="Звонок", position=0)
    account = Stage.objects.create(
        workspace_id=member.workspace_id, pipeline=line, name="Ведение", position=10, team=team, handoff=policy
    )
    return line, calls, account


def test_a_conveyor_stage_hands_the_deal_with_its_client_and_a_task(personas):
    from relata.activities.models import Task
    from relata.clients.models import Client

    line, calls, account = _conveyor(personas.admin, personas.south)
    client = company(personas.manager1, "ООО «Конвейер»")
    created = deal(personas.manager1, pipeline=line.pk, client=client.pk)
    assert created.owner_id == personas.manager1.user_id  # the first stage has no team
    moved = deal_move(personas.manager1, created.pk, stage_id=account.pk, version=1)
    assert moved.owner_id == personas.manager2.user_id
    assert Client.objects.get(pk=client.pk).owner_id == personas.manager2.user_id
    task = Task.objects.get(assignee_id=personas.manager2.user_id)
    assert task.client_id == client.pk and "Ведение" in task.title
    handed = Event.objects.get(kind="deal.handed_off", target_id=str(created.pk))
    assert handed.changes["owner"] == [personas.manager1.user_id, personas.manager2.user_id]
    # Manager 1 (scope own) no longer sees the deal; the head of the team above still may change it.
    with pytest.raises(Http404):
        deal_update(personas.manager1, created.pk, version=moved.version, values={"title": "Моё"})
    deal_update(personas.head, created.pk, version=moved.version, values={"title": "Ведёт Юг"})
    with pytest.raises(PermissionDenied):
        deal_update(personas.readonly, created.pk, version=moved.version + 1, values={"title": "Нет"})


def test_round_robin_and_least_loaded_share_the_deals_out(personas):
    from conftest import add_member

    extra = add_member(personas.admin, "m3@alpha.test", "Mia South", "sales_manager", personas.south)
    line, calls, account = _conveyor(personas.admin, personas.south)
    owners = []
    for n in range(4):
        created = deal(personas.head, f"Сделка {n}", pipeline=line.pk)
        owners.append(deal_move(personas.head, created.pk, stage_id=account.pk, version=1).owner_id)
    assert owners == [personas.manager2.user_id, extra.user_id] * 2
    account.handoff = "least_loaded"
    account.save()
    created = deal(personas.head, "Ещё одна", pipeline=line.pk)
    deal(personas.head, "Нагрузка", owner=extra.user_id, pipeline=line.pk)  # extra now has one more open deal
    assert deal_move(personas.head, created.pk, stage_id=account.pk, version=1).owner_id == personas.manager2.user_id


def test_a_parallel_pipeline_keeps_the_owner(personas):
    created = deal(personas.manager1)
    target = stages(personas.manager1)[1]
    target.team = personas.south
    target.save()
    assert deal_move(personas.manager1, created.pk, stage_id=target.pk, version=1).owner_id == personas.manager1.user_id


def test_a_client_with_deals_is_not_deleted(personas):
    from relata.clients.models import Client
    from relata.clients.services.clients import client_delete

    client = company(personas.manager1, "ООО «Со сделкой»")
    deal(personas.manager1, client=client.pk)
    with pytest.raises(ValidationError) as caught:
        client_delete(personas.admin, client.pk)
    assert "deals" in caught.value.message_dict["client"][0]
    assert Client.objects.filter(pk=client.pk).exists() and Deal.objects.count() == 1
    assert not Event.objects.filter(kind="client.deleted").exists()


def test_a_bulk_delete_keeps_the_clients_with_deals(personas):
    from relata.clients.models import Client
    from relata.clients.services.bulk import bulk_start
    from relata.core import jobs
    from relata.core.models import Job

    kept = company(personas.admin, "ООО «Со сделкой»")
    gone = company(personas.admin, "ООО «Без сделок»")
    deal(personas.admin, client=kept.pk)
    job = bulk_start(personas.admin, kind="company", action="delete", ids=[kept.pk, gone.pk])
    jobs.execute(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.state == "succeeded" and job.result == {"action": "delete", "count": 1, "kept": 1}
    assert list(Client.objects.values_list("pk", flat=True)) == [kept.pk]
