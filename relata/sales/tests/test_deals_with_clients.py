"""Deals stay with their clients through a hand-over and a merge, and appear on the
client's timeline within the viewer's scope."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from relata.activities.tests.helpers import company, person
from relata.clients.services.merge import client_merge
from relata.core import jobs
from relata.core.models import JobState
from relata.core.services.handover import handover_start
from relata.sales.models import Deal, DealContact, DealStatus
from relata.sales.services.deals import deal_lose, deal_move, deal_win
from relata.sales.tests.helpers import deal, reason, stages


def test_a_hand_over_moves_open_deals_with_their_clients(personas):
    m1 = personas.manager1
    clients = [company(m1, f"Клиент {n}") for n in range(5)]
    open_deals = [deal(m1, f"Сделка {n}", client=c.pk) for n, c in enumerate(clients)]
    won = deal(m1, "Выиграна", client=clients[0].pk)
    deal_win(m1, won.pk, version=1)
    job = handover_start(
        personas.admin, from_user_id=m1.user_id, to_user_ids=[personas.head.user_id, personas.admin.user_id]
    )
    assert jobs.execute(job.pk) == JobState.SUCCEEDED
    for client, item in zip(clients, open_deals, strict=True):
        client.refresh_from_db()
        item.refresh_from_db()
        assert item.owner_id == client.owner_id != m1.user_id
        assert item.version == 2  # an edit begun before the hand-over is refused as stale
    won.refresh_from_db()
    assert won.owner_id == m1.user_id and won.status == DealStatus.WON  # history keeps who won it
    job.refresh_from_db()
    assert job.result["moved"]["sales.deal"] == 5


def test_a_merge_moves_deals_and_contacts_to_the_survivor(personas):
    m1 = personas.manager1
    first = company(m1, "ООО «Альфа»")
    second = company(m1, "ООО «Альфа» (дубль)")
    ivanov = person(m1, "Иванов")
    twin = person(m1, "Иванов-дубль")
    on_second = deal(m1, "На дубле", client=second.pk, contacts=[ivanov.pk, twin.pk])
    client_merge(m1, survivor_id=first.pk, absorbed_id=second.pk, version=first.version)
    on_second.refresh_from_db()
    assert on_second.client_id == first.pk
    ivanov.refresh_from_db()
    client_merge(m1, survivor_id=ivanov.pk, absorbed_id=twin.pk, version=ivanov.version)
    assert list(DealContact.objects.filter(deal=on_second).values_list("person_id", flat=True)) == [ivanov.pk]


def test_the_client_timeline_shows_stage_moves_and_closings(personas):
    m1 = personas.manager1
    client = company(m1, "ООО «Лента»")
    moved = deal(m1, "Кирпич на склад", client=client.pk)
    deal_move(m1, moved.pk, stage_id=stages(m1)[1].pk, version=1)
    lost = deal(m1, "Цемент", client=client.pk)
    deal_lose(m1, lost.pk, version=1, reason=reason(m1).pk, note="Дорого")
    browser = Client()
    browser.force_login(m1.user)
    page = browser.get(reverse("clients:timeline", args=[client.pk])).content.decode()
    assert "Кирпич на склад" in page and "Qualification" in page
    assert "Deal lost" in page and "Дорого" in page
    only_closed = browser.get(reverse("clients:timeline", args=[client.pk]) + "?kind=deals_closed").content.decode()
    assert "Дорого" in only_closed and "Qualification" not in only_closed
    assert Deal.objects.count() == 2
