"""A manager works the sales board: drags a deal to the next stage, is asked for the
fields a later stage requires, and drops a deal on Won. A visitor's web-form post becomes
a lead that the manager qualifies, wins on the board and invoices as a PDF."""

from __future__ import annotations

from django.test import RequestFactory
from playwright.sync_api import Page, expect

from e2e.pages import DealBoard, DealScreen, LeadScreen, LoginPage
from relata.clients.models import Client
from relata.core.demo import DEMO_PASSWORD
from relata.core.models import Membership
from relata.sales.models import Deal, DealStatus, Lead, Pipeline, SalesDocument, Stage
from relata.sales.services.deals import deal_create
from relata.sales.services.webforms import webform_create
from relata.sales.tests.helpers import pdf_text
from relata.sales.views.webforms import embed_code

MANAGER = "manager@demo.relata.test"


def test_a_deal_dragged_across_the_board_to_won(page: Page, live_server, demo) -> None:
    manager = Membership.objects.select_related("user", "workspace").get(user__email=MANAGER)
    pipeline = Pipeline.objects.filter(workspace=manager.workspace, is_active=True).order_by("position", "id").first()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    client = Client.objects.filter(owner=manager.user, kind="company").order_by("pk").first()
    deal = deal_create(manager, values={"title": "Браузерная сделка", "pipeline": pipeline.pk, "client": client.pk})
    needs = next(s for s in stages if "amount" in s.required_fields)
    between = stages[1]
    assert set(between.required_fields) <= {"client"} and between.position < needs.position

    page.set_viewport_size({"width": 2200, "height": 1000})  # every column, Won and Lost on one wide screen
    LoginPage(page, live_server.url).log_in(MANAGER, DEMO_PASSWORD)
    board = DealBoard(page, live_server.url)
    board.open_pipeline(pipeline.pk)
    expect(board.card(deal.pk)).to_be_visible()

    # A plain move: the card lands in the next column and the stage history grows.
    with page.expect_response(lambda response: "/move/" in response.url):
        board.drag(deal.pk, between.pk)
    # The board reloads as it now is: the card carries the deal's new version.
    expect(board.column(between.pk).locator(f'[data-deal="{deal.pk}"]')).to_have_attribute("data-version", "2")
    deal.refresh_from_db()
    assert deal.stage_id == between.pk and deal.stage_visits.count() == 2

    # A stage that requires the amount asks for it on a page of its own, then moves.
    board.drag(deal.pk, needs.pk)
    expect(page.get_by_test_id("move-form")).to_be_visible()
    page.locator('input[name="amount"]').fill("1 250 000")
    if page.locator('input[name="expected_close_date"]').count():
        page.locator('input[name="expected_close_date"]').fill("2027-02-15")
    page.get_by_test_id("move-save").click()
    expect(board.column(needs.pk).locator(f'[data-deal="{deal.pk}"]')).to_have_attribute("data-version", "3")
    deal.refresh_from_db()
    assert deal.stage_id == needs.pk and deal.amount == 1_250_000

    # Dropped on Won, the deal closes as won and shows in the Won column.
    with page.expect_response(lambda response: "/win/" in response.url):
        board.drag(deal.pk, "won")
    expect(board.column("won").locator(f'[data-deal="{deal.pk}"]')).to_be_visible()
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON and deal.probability == 100
    assert Deal.objects.filter(pk=deal.pk, closed_at__isnull=False).exists()


def test_a_web_form_lead_qualified_won_and_invoiced(page: Page, live_server, demo) -> None:
    manager = Membership.objects.select_related("user", "workspace").get(user__email=MANAGER)
    admin = Membership.objects.get(user__email="admin@demo.relata.test")
    form = webform_create(
        admin,
        values={
            "name": "Заявка с сайта",
            "fields": ["contact_name", "company_name", "phone", "email"],
            "default_owner": manager.user_id,
        },
    )
    host = live_server.url.split("//", 1)[1]
    snippet = embed_code(RequestFactory().get("/", HTTP_HOST=host), form)

    # A visitor fills in the form pasted into a site and sends it.
    page.set_content(f"<html><body>{snippet}</body></html>")
    page.locator('input[name="contact_name"]').fill("Ольга Браузерова")
    page.locator('input[name="company_name"]').fill("ООО «Браузерный кирпич»")
    page.locator('input[name="phone"]').fill("8 (916) 555-44-33")
    page.locator('input[name="email"]').fill("olga@brick-browser.ru")
    with page.expect_response(lambda response: "/sales/f/" in response.url) as sent:
        page.locator("button[type=submit]").click()
    assert sent.value.status == 201
    lead = Lead.objects.get(email="olga@brick-browser.ru")
    assert lead.phone == "+79165554433" and lead.web_form_id == form.pk

    # The manager qualifies it: a client and a deal in one step.
    assert lead.owner_id == manager.user_id  # the form's default owner (no assignment rule matches)
    LoginPage(page, live_server.url).log_in(MANAGER, DEMO_PASSWORD)
    LeadScreen(page, live_server.url).qualify(lead.pk, "250 000")
    expect(page.get_by_test_id("deal-title")).to_be_visible(timeout=15_000)
    lead.refresh_from_db()
    deal = Deal.objects.select_related("client").get(pk=lead.deal_id)
    assert deal.client.name == "ООО «Браузерный кирпич»" and deal.amount == 250_000

    # Dragged across the board to Won.
    page.set_viewport_size({"width": 2200, "height": 1000})
    board = DealBoard(page, live_server.url)
    board.open_pipeline(deal.pipeline_id)
    expect(board.card(deal.pk)).to_be_visible()
    with page.expect_response(lambda response: "/win/" in response.url):
        board.drag(deal.pk, "won")
    expect(board.column("won").locator(f'[data-deal="{deal.pk}"]')).to_be_visible()
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON

    # An invoice is issued from the deal and downloaded as a PDF naming the client and the total.
    screen = DealScreen(page, live_server.url)
    screen.issue(deal.pk, "invoice")
    pdf = screen.download_pdf()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "ООО «Браузерный кирпич»" in text and "250 000,00" in text
    invoice = SalesDocument.objects.get(deal=deal)
    assert invoice.kind == "invoice" and invoice.state == "draft" and invoice.total == 250_000
