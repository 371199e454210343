"""The page every report shares: filters, then each table with its chart and export links.
A report view only names its builder and its filters; this renders, and exports when
asked (?table=KEY&fmt=csv|xlsx)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.views.decorators.http import require_GET

from relata.analytics.reports.export import report_export
from relata.analytics.reports.filters import ReportFilters, channels_of, default_period, report_filters
from relata.analytics.reports.table import Table
from relata.catalog.selectors.products import products_visible_to
from relata.clients.selectors.segments import segments_visible_to
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to
from relata.sales.selectors.deals import pipelines_visible_to

Builder = Callable[[Membership, ReportFilters], list[Table]]
TEMPLATE = "analytics/reports/report.html"


def filter_choices(actor: Membership, names: Iterable[str]) -> dict[str, Any]:
    """The choices of the filters a report offers (only those it names)."""
    loaders: dict[str, Callable[[], Any]] = {
        "manager": lambda: members_visible_to(actor).filter(is_active=True).order_by("user__full_name", "user__email"),
        "segment": lambda: segments_visible_to(actor).order_by("name"),
        "channel": lambda: channels_of(actor),
        "product": lambda: products_visible_to(actor).order_by("name")[:500],
        "pipeline": lambda: pipelines_visible_to(actor),
    }
    return {name: loaders[name]() for name in names}


def report_page(
    request: HttpRequest,
    *,
    template: str,
    build: Builder,
    filters_offered: Iterable[str],
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    errors: dict[str, str] = {}
    try:
        filters = report_filters(actor, request.GET)
    except ValidationError as error:
        errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
        filters = ReportFilters(*default_period())
    tables = build(actor, filters)
    if request.GET.get("fmt") and not errors:
        try:
            return report_export(
                actor, tables, key=request.GET.get("table", ""), fmt=request.GET["fmt"], filters=filters
            )
        except ValidationError as error:  # an unknown table or format: the page says which
            errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
    page = {
        "filters": filters,
        "errors": errors,
        "export_error": errors.get("table") or errors.get("fmt"),
        "filter_choices": filter_choices(actor, filters_offered),
        "tables": tables,
        "export_params": urlencode(filters.as_params()),
        "can_export": actor.can("analytics", "export"),
        **(context or {}),
    }
    return render(request, template, page, status=400 if errors else 200)


def report_view(
    build: Builder, *, title: str | Promise, tab: str, filters: Iterable[str], period_start: bool = True
) -> Callable[[HttpRequest], HttpResponse]:
    """The page of a report that needs nothing but its builder, its title and tab, and the
    filters it offers (`analytics.view`, GET). `period_start` False: the report reads
    only the period's end (a lifetime has no start), so the page offers no start date."""
    offered = tuple(filters)

    @permission_required("analytics", "view")
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        context = {"title": title, "tab": tab, "no_period_start": not period_start}
        return report_page(request, template=TEMPLATE, build=build, filters_offered=offered, context=context)

    return view
