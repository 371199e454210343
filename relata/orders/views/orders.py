"""Orders on the pages: the list, one order (payments, shipments, cancellation), a direct
order, and the order of a won deal from the deal's page."""

from __future__ import annotations

from django.urls import URLPattern

urls: list[URLPattern] = []
