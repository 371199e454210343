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
