"""The storekeeper's pages: stock by warehouse, the movements ledger, receipts and
adjustments, warehouses, suppliers and purchase requests."""

from __future__ import annotations

from django.urls import URLPattern

urls: list[URLPattern] = []
