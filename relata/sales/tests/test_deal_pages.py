"""The deal pages as a user meets them: the board with its totals and drops, the list,
the form with its errors, the move that asks for the stage's fields, lost with a reason."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relata.activities.tests.helpers import company
from relata.sales.models import Deal, DealStatus, StageVisit
from relata.sales.tests.helpers import deal, pipeline, reason, stages


def browser(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_the_board_shows_columns_with_counts_and_totals(personas):
    deal(personas.manager1, "Кирпич", amount="1000")
    deal(personas.manager1, "Цемент", amount="250.50")
    deal(personas.manager2, "Чужая сделка", amount="999")
    response = browser(personas.manager1).get(reverse("sales:board"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Кирпич" in page and "Цемент" in page and "Чужая сделка" not in page
    assert "1,251" in page  # the first column's total of the manager's own deals, in whole roubles
    head = browser(personas.head).get(reverse("sales:board")).content.decode()
    assert "Чужая сделка" in head  # manager 2 is in the head's team subtree


def test_the_board_takes_a_fixed_number_of_queries(personas):
    from relata.sales.services.deals import deal_lose

    viewer = browser(personas.head)
    first = deal(personas.manager1, "Первая")
    deal_lose(personas.manager1, first.pk, version=1, reason=reason(personas.manager1).pk)
    deal(personas.manager1, "Вторая")
    viewer.get(reverse("sales:board"))  # the session and caches warm up
    with CaptureQueriesContext(connection) as few:
        viewer.get(reverse("sales:board"))
    for n in range(30):
        created = deal(
            personas.manager1, f"Сделка {n}", amount=str(n), client=company(personas.manager1, f"ООО {n}").pk
        )
        if n % 3 == 0:
            deal_lose(personas.manager1, created.pk, version=created.version, reason=reason(personas.manager1).pk)
    with CaptureQueriesContext(connection) as many:
        viewer.get(reverse("sales:board"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_drop_moves_the_deal_or_asks_for_the_fields(personas):
    created = deal(personas.manager1)
    second, third = stages(personas.manager1)[1:3]
    third.required_fields = ["amount"]
    third.save()
    viewer = browser(personas.manager1)
    url = reverse("sales:deal_move", args=[created.pk])
    moved = viewer.post(url, {"stage": second.pk, "version": 1, "board": "1"})
    assert moved.status_code == 200 and moved.json() == {"ok": True}
    asks = viewer.post(url, {"stage": third.pk, "version": 2, "board": "1"})
    assert asks.json()["redirect"].startswith(url + f"?stage={third.pk}")
    assert Deal.objects.get(pk=created.pk).stage == second
    form = viewer.get(asks.json()["redirect"])
    assert form.status_code == 200 and 'name="amount"' in form.content.decode()
    refused = viewer.post(url, {"stage": third.pk, "version": 2, "amount": "-1"})
    assert refused.status_code == 400 and Deal.objects.get(pk=created.pk).stage == second
    done = viewer.post(url, {"stage": third.pk, "version": 2, "amount": "5000"})
    assert done.status_code == 302
    assert Deal.objects.get(pk=created.pk).stage == third and StageVisit.objects.filter(deal=created).count() == 3


def test_a_stale_drop_is_refused_with_a_message(personas):
    created = deal(personas.manager1)
    second = stages(personas.manager1)[1]
    stale = browser(personas.manager1).post(
        reverse("sales:deal_move", args=[created.pk]), {"stage": second.pk, "version": 7, "board": "1"}
    )
    assert stale.status_code == 409 and stale.json()["error"]
    assert Deal.objects.get(pk=created.pk).stage != second


def test_dropping_on_won_and_losing_with_a_reason(personas):
    won = deal(personas.manager1, "Выигрыш")
    viewer = browser(personas.manager1)
    answer = viewer.post(reverse("sales:deal_win", args=[won.pk]), {"version": 1, "board": "1"})
    assert answer.json() == {"ok": True} and Deal.objects.get(pk=won.pk).status == DealStatus.WON
    lost = deal(personas.manager1, "Проигрыш")
    url = reverse("sales:deal_lose", args=[lost.pk])
    missing = viewer.post(url, {"version": 1, "loss_reason": ""})
    assert missing.status_code == 400 and Deal.objects.get(pk=lost.pk).is_open
    ok = viewer.post(url, {"version": 1, "loss_reason": reason(personas.manager1).pk, "loss_note": "Дорого"})
    assert ok.status_code == 302 and Deal.objects.get(pk=lost.pk).status == DealStatus.LOST


def test_the_deal_form_creates_and_shows_field_errors(personas):
    viewer = browser(personas.manager1)
    url = reverse("sales:deal_new")
    assert viewer.get(url + f"?pipeline={pipeline(personas.manager1).pk}").status_code == 200
    bad = viewer.post(url, {"title": "", "pipeline": pipeline(personas.manager1).pk, "amount": "abc"})
    assert bad.status_code == 400 and not Deal.objects.exists()
    client = company(personas.manager1)
    good = viewer.post(
        url, {"title": "Поставка", "pipeline": pipeline(personas.manager1).pk, "client": client.pk, "amount": "10"}
    )
    assert good.status_code == 302
    created = Deal.objects.get()
    assert created.client == client and created.amount == 10
    detail = viewer.get(reverse("sales:deal", args=[created.pk])).content.decode()
    assert "Поставка" in detail and 'data-testid="stage-history"' in detail
    card = viewer.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "Поставка" in card  # the client's card lists its deals


def test_a_client_value_sent_back_to_the_form_cannot_break_out_of_its_script(personas):
    viewer = browser(personas.manager1)
    attack = "');alert(document.cookie);//"
    answer = viewer.post(
        reverse("sales:deal_new"), {"title": "", "pipeline": pipeline(personas.manager1).pk, "client": attack}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    # The attribute's entities are decoded before Alpine reads it as JavaScript: the quote
    # must reach it as \\u0027, not as &#x27; (which would end the string).
    assert "&#x27;);alert" not in html and "clientPicker('', '\\u0027)" in html


def test_a_stale_edit_shows_the_conflict(personas):
    created = deal(personas.manager1)
    viewer = browser(personas.manager1)
    url = reverse("sales:deal_edit", args=[created.pk])
    viewer.post(url, {"title": "Первое", "version": 1, "currency": "RUB"})
    second = viewer.post(url, {"title": "Второе", "version": 1, "currency": "RUB"})
    assert second.status_code == 409 and Deal.objects.get(pk=created.pk).title == "Первое"


def test_the_list_filters_by_status(personas):
    deal(personas.manager1, "Открытая")
    closed = deal(personas.manager1, "Выигранная")
    from relata.sales.services.deals import deal_win

    deal_win(personas.manager1, closed.pk, version=1)
    page = browser(personas.manager1).get(reverse("sales:deals") + "?status=won").content.decode()
    assert "Выигранная" in page and "Открытая" not in page


def test_deleting_a_client_with_deals_explains_why_not(personas):
    client = company(personas.admin, "ООО «Со сделкой»")
    deal(personas.admin, client=client.pk)
    viewer = browser(personas.admin)
    response = viewer.post(reverse("clients:delete", args=[client.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("clients:detail", args=[client.pk])
    assert "Other records refer to this client (deals)" in response.content.decode()
    assert Deal.objects.get().client_id == client.pk
