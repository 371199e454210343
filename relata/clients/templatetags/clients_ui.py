from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relata.clients.fields import ClientField
from relata.clients.models import Client
from relata.clients.normalize import format_phone

register = template.Library()
EMPTY = mark_safe('<span class="text-body-tertiary">—</span>')  # noqa: S308  (a constant)


def display_value(value: Any) -> Any:
    """A field value as a person reads it, in the active locale."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


@register.simple_tag
def client_cell(client: Client, column: ClientField) -> Any:
    if column.key == "name":
        return format_html('<a href="{}">{}</a>', reverse("clients:detail", args=[client.pk]), client.name)
    if column.key == "primary_phone":
        return format_phone(client.primary_phone) if client.primary_phone else EMPTY
    if column.key == "status":
        return format_html('<span class="badge text-bg-light border">{}</span>', client.status.display_name)
    value = column.display(client)
    if column.custom is not None and column.custom.field_type == "date" and value:
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value)
    if column.custom is not None and column.custom.field_type == "user" and value:
        return value  # a user id; shown as is (names come with the detail page)
    return display_value(value)


@register.filter
def client_sort_url(listing: Any, column: ClientField) -> str:
    return str(listing.sort_url(column))


@register.filter
def client_sort_state(listing: Any, column: ClientField) -> str:
    return str(listing.sort_state(column))


@register.filter
def client_page_url(listing: Any, number: int) -> str:
    return str(listing.url_with(page=number))


@register.filter
def phone(value: str) -> str:
    return format_phone(value) if value else ""


@register.simple_tag
def field_value(client: Client, field: ClientField) -> SafeString | Any:
    return display_value(field.display(client))
