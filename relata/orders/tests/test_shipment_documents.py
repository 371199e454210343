"""A shipment's waybill and act (product §6: shipment writes the goods off and issues the
act and waybill from the sales-documents templates): issued by the storekeeper, who has
no sales permission, with what the shipment carried at the order's prices; the act of
the order's services once; refused, with nothing written, where no document can be."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relata.orders.models import ShipmentDocument
from relata.orders.services.orders import order_create, order_create_from_deal, shipment_create
from relata.orders.tests.helpers import company, orders_state, product, receive, storekeeper, warehouse, won_deal
from relata.sales.models import SalesDocument
from relata.sales.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(personas):
    """Manager 1's won deal: 3 wagons of brick and their delivery; all reserved."""
    admin = personas.admin
    brick = product(admin, "Silicate brick wagon")
    delivery = product(admin, "Delivery by truck", kind="service", unit="service")
    main = warehouse(admin)
    receive(admin, brick, main, "5")
    client = company(personas.manager1, "Dvor Ltd")
    lines = [
        {"product": brick.pk, "quantity": "3", "price": "352000"},
        {"product": delivery.pk, "quantity": "1", "price": "18000"},
    ]
    deal = won_deal(personas.manager1, client, lines)
    order = order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    return order, order.lines.get(product=brick), brick, main, client


def test_the_storekeeper_ships_and_issues_the_waybill_and_the_act(personas, client_as, sale):
    order, line, _brick, _main, _client = sale
    keeper = storekeeper(personas.admin)
    browser = client_as(keeper)
    response = browser.post(
        reverse("orders:order_ship", args=[order.pk]),
        {f"shipment-line_{line.pk}": "2", "shipment-documents": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    first = ShipmentDocument.objects.get(shipment__order=order, document__kind="waybill").document
    act = ShipmentDocument.objects.get(shipment__order=order, document__kind="act").document
    assert first.total == 704000 and act.total == 18000  # two wagons of three; the delivery
    text = pdf_text(browser.get(reverse("orders:order_document", args=[order.pk, first.pk])).getvalue())
    assert "Silicate brick wagon" in text and "704" in text and "Delivery" not in text
    assert "Delivery by truck" in pdf_text(act.pdf.read())
    # The second shipment gets its own waybill; the act is not issued twice.
    browser.post(
        reverse("orders:order_ship", args=[order.pk]), {f"shipment-line_{line.pk}": "1", "shipment-documents": "on"}
    )
    kinds = sorted(ShipmentDocument.objects.filter(shipment__order=order).values_list("document__kind", flat=True))
    assert kinds == ["act", "waybill", "waybill"]
    page = browser.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert page.count(reverse("orders:order_document", args=[order.pk, first.pk])) == 1


def test_a_shipment_without_documents_gets_them_later_and_only_once(personas, client_as, api_as, sale):
    order, line, *_rest = sale
    shipment = shipment_create(personas.admin, order.pk, values={"lines": [{"line": line.pk, "quantity": "1"}]})
    assert not SalesDocument.objects.exists()
    url = f"/api/v1/orders/{order.pk}/shipments/{shipment.pk}/documents"
    created = api_as(personas.admin).post(url)
    assert created.status_code == 201, created.content
    assert sorted(d["kind"] for d in created.json()["documents"]) == ["act", "waybill"]
    before = (orders_state(), SalesDocument.objects.count())
    again = api_as(personas.admin).post(url)
    assert again.status_code == 422 and "issued already" in again.content.decode()
    assert (orders_state(), SalesDocument.objects.count()) == before
    waybill = created.json()["documents"][0]["id"]
    pdf = api_as(personas.readonly).get(f"/api/v1/orders/{order.pk}/documents/{waybill}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Manager 2 may not see manager 1's order, nor its documents.
    assert api_as(personas.manager2).get(f"/api/v1/orders/{order.pk}/documents/{waybill}/pdf").status_code == 404


def test_a_direct_order_gets_its_documents_kept_with_the_order(personas, api_as, client_as, sale):
    _order, _line, brick, main, client = sale
    direct = order_create(
        personas.admin,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "1", "price": "5"}],
        },
    )
    response = api_as(personas.admin).post(
        f"/api/v1/orders/{direct.pk}/shipments",
        {"lines": [{"line": direct.lines.get().pk, "quantity": "1"}], "documents": True},
    )
    assert response.status_code == 201, response.content
    waybill = ShipmentDocument.objects.get(shipment__order=direct).document
    assert (waybill.kind, waybill.deal_id, waybill.client_id, waybill.total) == ("waybill", None, client.pk, 5)
    text = pdf_text(waybill.pdf.read())
    assert f"Order № {direct.number}" in text or f"Заказ № {direct.number}" in text  # its "basis"
    assert "Dvor Ltd" in text and "Silicate brick wagon" in text
    download = client_as(storekeeper(personas.admin)).get(
        reverse("orders:order_document", args=[direct.pk, waybill.pk])
    )
    assert download.status_code == 200
    # It is the order's, not a deal's: the deals' documents and the client's timeline leave it out.
    listed = api_as(personas.admin).get("/api/v1/documents").json()
    assert waybill.pk not in [d["id"] for d in listed["items"]]
    assert api_as(personas.admin).get(f"/api/v1/documents/{waybill.pk}").status_code == 404
    timeline = client_as(personas.admin).get(reverse("clients:detail", args=[client.pk]))
    assert timeline.status_code == 200


def test_only_the_keepers_of_the_stock_issue_documents(personas, client_as, sale):
    order, line, *_rest = sale
    shipment = shipment_create(personas.admin, order.pk, values={"lines": [{"line": line.pk, "quantity": "1"}]})
    url = reverse("orders:shipment_documents", args=[order.pk, shipment.pk])
    assert client_as(personas.manager1).post(url).status_code == 403
    assert client_as(personas.manager2).post(url).status_code == 404
    assert not SalesDocument.objects.exists()
