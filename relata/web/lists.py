"""The list component: filters (django-filter), sort, pagination, HTMX partial updates.

A view declares its columns and filter set and calls `render_list`; the page renders
`components/list.html`, which shows the filter bar and the table. Changing a filter,
a sort header or a page asks only for the results part (`#list-results`) again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

PAGE_SIZES = (25, 50, 100)
RESULTS_TARGET = "list-results"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str | None = None  # the field to order by; None: not sortable
    template: str | None = None  # a template rendering the cell with `row`
    value: Callable[[Any], Any] | None = None  # how to get the value when no template
    css: str = ""

    def cell(self, row: Any) -> Any:
        if self.value is not None:
            return self.value(row)
        current = row
        for part in self.key.split("__"):
            current = getattr(current, part, None)
            if current is None:
                return None
        return current


@dataclass
class ListState:
    columns: Sequence[Column]
    page: Page[Any]
    sort: str
    page_size: int
    filterset: django_filters.FilterSet | None
    query: dict[str, str] = field(default_factory=dict)

    def url_with(self, **changes: Any) -> str:
        params = {**self.query, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
        for key, value in changes.items():
            if value in (None, ""):
                params.pop(key, None)
        return "?" + urlencode(params)

    def sort_url(self, column: Column) -> str:
        next_sort = f"-{column.key}" if self.sort == column.key else column.key
        return self.url_with(sort=next_sort, page=None)

    def sort_state(self, column: Column) -> str:
        if self.sort == column.key:
            return "asc"
        if self.sort == f"-{column.key}":
            return "desc"
        return ""

    @property
    def page_sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def build_list(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    columns: Sequence[Column],
    default_sort: str,
    filterset_class: type[django_filters.FilterSet] | None = None,
    filterset_kwargs: dict[str, Any] | None = None,
) -> ListState:
    filterset = None
    if filterset_class is not None:
        filterset = filterset_class(request.GET or None, queryset=queryset, **(filterset_kwargs or {}))
        if filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
    sortable = {c.key: c.sort for c in columns if c.sort}
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sortable:
        sort, key = default_sort, default_sort.lstrip("-")
    descending = sort.startswith("-")
    order = sortable.get(key, key)
    # The primary key breaks ties, so pages never repeat or skip rows.
    queryset = queryset.order_by(f"-{order}" if descending else order, "-pk" if descending else "pk")
    page_size = _int(request.GET.get("page_size"), PAGE_SIZES[1])
    if page_size not in PAGE_SIZES:
        page_size = PAGE_SIZES[1]
    paginator = Paginator(queryset, page_size)
    page = paginator.get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if v != ""}
    return ListState(columns=columns, page=page, sort=sort, page_size=page_size, filterset=filterset, query=query)


def render_list(
    request: HttpRequest,
    template: str,
    state: ListState,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The whole page, or only the results when HTMX asks for them."""
    context = {"list": state, **(context or {})}
    if getattr(request, "htmx", False) and request.htmx.target == RESULTS_TARGET:  # type: ignore[attr-defined]
        return render(request, "components/list_results.html", context)
    return render(request, template, context)
