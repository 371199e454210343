"""The demo workspace's sales (relata.sales.demo): what a visitor of `manage.py demo`
sees on the boards and in the funnel — two pipelines, a year of deals in every stage,
won and lost ones with their reasons, stage histories that add up, deals their owners
can open with clients they can open — and that running the step again changes nothing.

Each test builds the whole demo (clients, deals, activities), so the checks are grouped."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from django.db.models import F
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from relata.activities import demo as activities_demo
from relata.clients import demo as clients_demo
from relata.clients.lookup import member_sees_client
from relata.clients.models import Client, ClientKind, Employment
from relata.core.access import scope_queryset
from relata.core.demo import _DEMO_STEPS, create_demo_workspace
from relata.core.models import Event, Membership, Workspace
from relata.sales import demo  # registers the demo step, as relata/sales/registrations.py does
from relata.sales.models import (
    BUILTIN_LOSS_REASONS,
    Deal,
    DealContact,
    DealStatus,
    Pipeline,
    SalesDocument,
    SellerDetails,
    Stage,
    StageVisit,
)
from relata.sales.selectors.deals import deals_visible_to
from relata.sales.services.deals import missing_for_stage

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
B2B, B2C = "Оборудование и материалы B2B", "Розница B2C"
OPEN, WON, LOST = DealStatus.OPEN, DealStatus.WON, DealStatus.LOST


@pytest.fixture
def workspace(db) -> Workspace:
    return create_demo_workspace()


def test_the_step_runs_after_the_clients_and_before_the_activities():
    assert (demo.ORDER, demo.sales_demo) in _DEMO_STEPS
    assert (20, clients_demo.clients_demo) in _DEMO_STEPS
    assert 20 < demo.ORDER < activities_demo.ORDER


def test_two_pipelines_and_a_year_of_deals_in_every_stage(workspace):
    now = timezone.now()
    # The default pipeline became the wholesale one; the retail one is a conveyor.
    pipelines = list(Pipeline.objects.filter(workspace=workspace).order_by("position", "id"))
    assert [(p.name, p.mode, p.is_active) for p in pipelines] == [(B2B, "parallel", True), (B2C, "conveyor", True)]
    b2b, b2c = pipelines
    stages = {
        p.pk: list(Stage.objects.filter(pipeline=p).select_related("team").order_by("position")) for p in pipelines
    }
    assert [(s.name, s.probability) for s in stages[b2b.pk]] == [
        ("Новая заявка", 10),
        ("Квалификация", 20),
        ("Коммерческое предложение", 40),
        ("Переговоры", 60),
        ("Договор и счёт", 80),
    ]
    assert [s.required_fields for s in stages[b2b.pk]][2:] == [
        ["client", "amount"],
        ["client", "amount", "expected_close_date"],
        ["client", "contacts", "amount", "expected_close_date"],
    ]
    assert [s.name for s in stages[b2c.pk]] == ["Обращение", "Подбор", "Оформление заказа", "Счёт выставлен", "Оплата"]
    assert [(s.name, s.team.name, s.handoff) for s in stages[b2c.pk] if s.team] == [
        ("Оформление заказа", "Продажи: Москва", "round_robin")
    ]
    assert not any(s.team_id for s in stages[b2b.pk])

    deals = Deal.objects.filter(workspace=workspace)
    assert deals.count() > 1000
    # Every stage has open deals; both pipelines have won and lost ones.
    assert set(deals.filter(status=OPEN).values_list("stage_id", flat=True)) == {
        s.pk for pipeline_stages in stages.values() for s in pipeline_stages
    }
    for pipeline in pipelines:
        statuses = Counter(deals.filter(pipeline=pipeline).values_list("status", flat=True))
        assert statuses[WON] >= 50 and statuses[LOST] >= 40 and statuses[OPEN] >= 30, (pipeline.name, statuses)
    # A year ending today: the open deals are the recent ones (and a few stalled), the
    # older ones are closed.
    first = deals.order_by("created_at").first()
    assert first is not None and dt.timedelta(days=330) < now - first.created_at <= dt.timedelta(days=366)
    assert not deals.filter(created_at__gt=now).exists() and not deals.filter(closed_at__gt=now).exists()
    open_deals = deals.filter(status=OPEN)
    assert open_deals.filter(created_at__gte=now - dt.timedelta(days=60)).count() > 0.8 * open_deals.count()
    assert open_deals.filter(created_at__lt=now - dt.timedelta(days=90)).exists()
    older = deals.filter(created_at__lt=now - dt.timedelta(days=90))
    assert older.exclude(status=OPEN).count() > 0.9 * older.count()
    # Amounts of a building-materials supplier, in roubles.
    assert set(deals.values_list("currency", flat=True)) == {"RUB"}
    wholesale = [a for a in deals.filter(pipeline=b2b).values_list("amount", flat=True) if a is not None]
    retail = [a for a in deals.filter(pipeline=b2c).values_list("amount", flat=True) if a is not None]
    assert 100_000 <= min(wholesale) < 300_000 and 5_000_000 < max(wholesale) <= 15_000_000
    assert 5_000 <= min(retail) < 20_000 and 150_000 < max(retail) <= 300_000
    # Probability: the stage's while open, 100 % won, 0 % lost.
    assert not open_deals.exclude(probability=F("stage__probability")).exists()
    assert set(deals.filter(status=WON).values_list("probability", flat=True)) == {100}
    assert set(deals.filter(status=LOST).values_list("probability", flat=True)) == {0}
    # Won after the last stage; lost mostly at the offer and in negotiation.
    assert set(deals.filter(status=WON).values_list("stage__name", flat=True)) == {"Договор и счёт", "Оплата"}
    lost = deals.filter(status=LOST)
    where = Counter(lost.filter(pipeline=b2b).values_list("stage__name", flat=True))
    assert where["Коммерческое предложение"] + where["Переговоры"] > 0.6 * sum(where.values())
    assert len(where) == 5
    # Why: the price first, then a competitor, then the rest; often with a note.
    reasons = Counter(lost.values_list("loss_reason__key", flat=True))
    assert [key for key, _n in reasons.most_common(2)] == ["price", "competitor"]
    assert set(reasons) == {key for key, _name in BUILTIN_LOSS_REASONS}
    notes = list(lost.exclude(loss_note="").values_list("loss_note", flat=True))
    assert 0.4 * lost.count() < len(notes) < lost.count()
    assert sum(bool(CYRILLIC.search(note)) for note in notes) > 0.8 * len(notes)
    assert not deals.exclude(status=LOST).exclude(loss_note="").exists()
    assert not deals.exclude(status=LOST).exclude(loss_reason=None).exists()
    # Competitors: named where the client went to one, and on other wholesale deals.
    assert all(d.competitors for d in lost.filter(loss_reason__key="competitor"))
    named = Counter(
        name for names in deals.filter(pipeline=b2b).values_list("competitors", flat=True) for name in names
    )
    assert {"ЛСР", "Браер", "Кирпичный завод №1"} <= set(named)
    assert deals.filter(pipeline=b2b, status=WON).exclude(competitors=[]).exists()
    # The expected close date is about when it closed.
    for deal in deals.exclude(status=OPEN).exclude(expected_close_date=None):
        assert deal.closed_at is not None
        assert abs(deal.expected_close_date - deal.closed_at.date()) <= dt.timedelta(days=30), deal.pk
    assert open_deals.filter(expected_close_date__gte=now.date()).count() > 0.5 * open_deals.count()
    # English-speaking clients' deals are in English, the others in Russian.
    english = deals.filter(client__name__regex=r"^[A-Za-z]").values_list("title", flat=True)
    assert english and not any(CYRILLIC.search(title) for title in english)
    assert all(
        CYRILLIC.search(title)
        for title in deals.exclude(client__name__regex=r"^[A-Za-z]").values_list("title", flat=True)[:300]
    )

    # The manager's boards and a lost deal's card show them.
    manager = Membership.objects.get(workspace=workspace, user__email="manager@demo.relata.test")
    browser = Browser()
    browser.force_login(manager.user)
    for pipeline in pipelines:
        page = browser.get(reverse("sales:pipeline_board", args=[pipeline.pk]))
        assert page.status_code == 200
        shown = open_deals.filter(pipeline=pipeline, owner=manager.user).order_by("stage_entered_at").first()
        assert shown is not None and escape(shown.title) in page.content.decode()
    lost_deal = lost.filter(owner=manager.user).exclude(loss_note="").order_by("-closed_at").first()
    assert lost_deal is not None
    page = browser.get(reverse("sales:deal", args=[lost_deal.pk]))
    assert page.status_code == 200
    assert escape(lost_deal.loss_note) in page.content.decode()


def test_histories_owners_hand_overs_and_a_second_run(workspace):
    now = timezone.now()
    deals = {d.pk: d for d in Deal.objects.filter(workspace=workspace).select_related("pipeline", "stage", "client")}
    history: dict[int, list[StageVisit]] = defaultdict(list)
    for visit in StageVisit.objects.filter(workspace=workspace).select_related("stage").order_by("entered_at", "id"):
        history[visit.deal_id].append(visit)
    contacts: dict[int, list[int]] = defaultdict(list)
    for deal_id, person_id in DealContact.objects.filter(workspace=workspace).values_list("deal_id", "person_id"):
        contacts[deal_id].append(person_id)
    assert set(history) == set(deals)
    # Each history: the stages passed, forward, one after another; the deal where its
    # last visit is; open while that visit is; every stage's required fields met.
    for deal in deals.values():
        visits = history[deal.pk]
        assert visits[0].entered_at == deal.created_at >= deal.client.created_at
        assert visits[0].entered_by_id == deal.created_by_id
        positions = [v.stage.position for v in visits]
        assert positions == sorted(set(positions)), deal.pk
        assert all(v.stage.pipeline_id == deal.pipeline_id for v in visits)
        for before, after in zip(visits, visits[1:], strict=False):
            assert before.entered_at < before.left_at == after.entered_at
            assert before.left_by_id == after.entered_by_id
        last = visits[-1]
        assert last.stage_id == deal.stage_id and last.entered_at == deal.stage_entered_at
        if deal.status == OPEN:
            assert last.left_at is None and last.left_by_id is None and deal.closed_at is None
        else:
            assert last.entered_at < last.left_at == deal.closed_at <= now
            assert last.left_by_id == deal.owner_id
        assert deal.created_at <= deal.updated_at <= now
        for visit in visits:
            assert not missing_for_stage(deal, visit.stage, contacts[deal.pk]), (deal.pk, visit.stage.name)
    # One open visit per open deal, none for closed ones (the database allows no more).
    open_visits = Counter(
        StageVisit.objects.filter(workspace=workspace, left_at=None).values_list("deal_id", flat=True)
    )
    assert set(open_visits) == {pk for pk, d in deals.items() if d.status == OPEN}
    assert set(open_visits.values()) == {1}
    # A lost deal keeps its reason and the stage it was lost at.
    assert all(d.loss_reason_id and d.stage_id for d in deals.values() if d.status == LOST)

    # Owned by the sales team; clients and contact persons their owners can open.
    members = {
        m.user_id: m for m in Membership.objects.filter(workspace=workspace).select_related("role", "workspace", "user")
    }
    assert {members[d.owner_id].role.key for d in deals.values()} == {"sales_manager", "head_of_sales"}
    assert len({d.owner_id for d in deals.values()}) == 3
    for owner_id, client_id in {(d.owner_id, d.client_id) for d in deals.values()}:
        assert member_sees_client(members[owner_id], Client(pk=client_id)), (owner_id, client_id)
    for owner_id in {d.owner_id for d in deals.values()}:
        mine = {pk for pk, d in deals.items() if d.owner_id == owner_id}
        assert set(deals_visible_to(members[owner_id]).values_list("pk", flat=True)) >= mine
    employed = set(Employment.objects.filter(workspace=workspace).values_list("person_id", flat=True))
    jobs = set(Employment.objects.filter(workspace=workspace).values_list("company_id", "person_id"))
    for deal in deals.values():
        if deal.pipeline.name == B2B:
            assert deal.client.kind == ClientKind.COMPANY
            assert all((deal.client_id, person) in jobs for person in contacts[deal.pk])
            visible = scope_queryset(members[deal.owner_id], Client.objects.filter(pk__in=contacts[deal.pk]))
            assert visible.count() == len(contacts[deal.pk])
        else:
            assert deal.client.kind == ClientKind.PERSON and deal.client_id not in employed
            assert not contacts[deal.pk]
    assert sum(len(people) > 1 for people in contacts.values()) > 50

    # Conveyor: an order is drawn up by the Moscow team; requests the head of sales took
    # were handed over there, as the timeline says.
    moscow = set(
        Membership.objects.filter(workspace=workspace, team__name="Продажи: Москва").values_list("user_id", flat=True)
    )
    handing = Stage.objects.get(pipeline__workspace=workspace, pipeline__name=B2C, team__isnull=False)
    reached = {pk for pk, visits in history.items() if any(v.stage_id == handing.pk for v in visits)}
    assert reached and all(deals[pk].owner_id in moscow for pk in reached)
    assert handing.last_handoff_user_id in moscow
    events = Event.objects.filter(workspace=workspace, kind__startswith="deal.")
    handed = events.filter(kind="deal.handed_off")
    assert handed.count() >= 10
    for event in handed:
        deal = deals[event.target_id]
        assert event.target_id in reached and event.actor_id == deal.created_by_id != deal.owner_id
        assert event.changes == {"owner": [deal.created_by_id, deal.owner_id]}
        assert event.occurred_at == next(v.entered_at for v in history[deal.pk] if v.stage_id == handing.pk)
    # The events of each deal's life, dated when it happened.
    kinds = Counter(events.values_list("kind", flat=True))
    statuses = Counter(d.status for d in deals.values())
    assert kinds["deal.created"] == len(deals) and kinds["deal.won"] == statuses[WON]
    assert kinds["deal.lost"] == statuses[LOST]
    for event in events.filter(kind__in=["deal.created", "deal.won", "deal.lost"]).order_by("?")[:200]:
        deal = deals[event.target_id]
        assert event.occurred_at == (deal.created_at if event.kind == "deal.created" else deal.closed_at)

    # Documents: paid invoices of the latest won deals and an offer for an open one, as PDFs.
    documents = list(SalesDocument.objects.filter(workspace=workspace).select_related("deal"))
    invoices = [d for d in documents if d.kind == "invoice"]
    assert len(invoices) == 3 and all(d.state == "paid" and d.deal.status == WON for d in invoices)
    assert sorted(d.number for d in invoices) == [1, 2, 3]
    assert [d.deal.status for d in documents if d.kind == "quote"] == [OPEN]
    assert all(d.pdf.open("rb").read(4) == b"%PDF" for d in documents)
    assert SellerDetails.objects.get(workspace=workspace).inn == "7701234560"

    # The demo is made once: running the step again changes nothing.
    def counts() -> tuple[int, ...]:
        models = (Deal, StageVisit, DealContact, Pipeline, Stage, SalesDocument)
        return (*(m.objects.filter(workspace=workspace).count() for m in models), Event.objects.count())

    made = counts()
    demo.sales_demo(workspace)
    assert create_demo_workspace().pk == workspace.pk
    assert counts() == made
