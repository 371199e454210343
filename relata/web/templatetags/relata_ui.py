from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relata.web.lists import Column

register = template.Library()


@register.simple_tag(takes_context=True)
def list_cell(context: template.Context, row: Any, column: Column) -> Any:
    """One table cell: the column's template with `row`, or the value."""
    if column.template:
        return render_to_string(column.template, {"row": row, "actor": context.get("actor")}, context.get("request"))
    value = column.cell(row)
    if value is None or value == "":
        return mark_safe('<span class="text-body-tertiary">—</span>')  # noqa: S308  (a constant)
    if isinstance(value, bool):
        icon = "check-lg text-success" if value else "dash text-body-tertiary"
        label = _("yes") if value else _("no")
        return format_html(
            '<i class="bi bi-{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>', icon, label
        )
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return formats.localize(value) if isinstance(value, int | float | Decimal) else value


@register.filter
def widget(field: BoundField) -> SafeString:
    """The field's widget, marked invalid when the field has errors."""
    attrs = {}
    if field.errors:
        attrs["class"] = f"{field.field.widget.attrs.get('class', '')} is-invalid".strip()
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.filter
def sort_url(state: Any, column: Column) -> str:
    return str(state.sort_url(column))


@register.filter
def sort_state(state: Any, column: Column) -> str:
    return str(state.sort_state(column))


@register.filter
def page_url(state: Any, number: int) -> str:
    return str(state.url_with(page=number))


@register.filter
def can(actor: Any, permission: str) -> bool:
    """{% if actor|can:"admin.change" %}: the page-level check, for showing buttons."""
    if actor is None:
        return False
    module, _, action = permission.partition(".")
    return bool(actor.can(module, action))


@register.filter
def is_current(item: Any, request: Any) -> bool:
    """Whether a navigation entry is the section of the current page ("members" is
    current on members, member_new and member_edit)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    name = match.url_name or ""
    return bool(match.view_name == item.url_name or name.startswith(item.key.rstrip("s")))


@register.filter
def getlist(params: Any, key: str) -> list[str]:
    """All values of a repeated query parameter."""
    return list(params.getlist(key)) if hasattr(params, "getlist") else []


@register.filter
def safe_json(value: Any) -> SafeString:
    """A value as JSON for an HTML attribute (quotes escaped for the attribute)."""
    import json

    from django.utils.html import escape

    return mark_safe(escape(json.dumps(value, ensure_ascii=False)))  # noqa: S308  (escaped above)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] (or sequence[index]) in a template; None when missing."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
