"""The analytics dashboard in a browser: the administrator opens it, each widget loads on
its own with its Chart.js chart drawn over the table behind it, and a filter narrows it."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.pages import LoginPage
from relata.analytics.reports.widgets import default_layout
from relata.core.demo import DEMO_PASSWORD

ADMIN = "admin@demo.relata.test"


def test_the_dashboard_loads_its_widgets_with_charts(page: Page, live_server, demo) -> None:
    LoginPage(page, live_server.url).log_in(ADMIN, DEMO_PASSWORD)
    page.goto(live_server.url + reverse("analytics:dashboard"))
    for key in default_layout("administrator"):
        expect(page.get_by_test_id(f"widget-{key}")).to_be_visible(timeout=30_000)
    matrix = page.get_by_test_id("widget-classes_matrix")
    chart = matrix.locator("canvas[data-chart]")
    expect(chart).to_have_attribute("data-drawn", "1")  # charts.js drew it with Chart.js
    assert page.evaluate("typeof window.Chart") == "function"
    expect(matrix.locator("table tbody tr")).to_have_count(4)  # A, B, C and "none"
    expect(matrix.get_by_test_id("export-classes_matrix-csv")).to_be_visible()
    # The whole report is one click away.
    products = reverse("analytics:products")
    page.get_by_test_id("widget-products_abc_summary").locator(f'a[href^="{products}"]').click()
    expect(page.get_by_test_id("report-products_abc")).to_be_visible()
