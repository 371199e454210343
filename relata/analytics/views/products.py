"""The products' ABC page (a report page: filters, tables, charts, export)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from relata.analytics.reports.products import product_abc
from relata.analytics.views.reports import report_view

products = report_view(
    product_abc, title=_("ABC of products"), tab="products", filters=("manager", "segment", "channel")
)

urls = [path("products/", products, name="products")]
