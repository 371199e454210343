"""Lists of companies and people: filters on every field, sort, columns, saved views,
pagination, selection for bulk actions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relata.clients.fields import DEFAULT_COLUMNS, OPERATOR_LABELS, ClientField, client_fields, filter_fields
from relata.clients.models import ClientKind, LifecycleStatus, Segment, Tag
from relata.clients.selectors.clients import statuses_of, tags_of
from relata.clients.selectors.lists import client_list, definition_from_params
from relata.clients.selectors.segments import saved_views_of, segments_visible_to
from relata.core.access import get_visible
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to

PAGE_SIZES = (25, 50, 100)
COUNT_LIMIT = 10_000  # beyond this the list says "10,000+" instead of counting a million rows
QUICK_KEYS = ("q", "status", "owner", "tag", "city")


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most COUNT_LIMIT + 1 rows: a filtered count over a million rows costs
    more than the page itself, and nobody pages to row 10,001 (they narrow the filter)."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # Without its ORDER BY: a sliced count keeps the ordering, and sorting a million
        # rows to count them costs seconds; the count does not depend on the order.
        return int(self.object_list.order_by()[: COUNT_LIMIT + 1].count())


@dataclass
class ClientListing:
    kind: str
    fields: dict[str, ClientField]
    definition: dict[str, Any]
    columns: list[ClientField]
    sort: str
    page: Page  # type: ignore[type-arg]
    page_size: int
    params: QueryDict
    segment: Segment | None = None
    problems: list[str] = field(default_factory=list)
    filters: dict[str, ClientField] = field(default_factory=dict)  # fields and conditions a filter may test

    @property
    def capped(self) -> bool:
        return self.page.paginator.count > COUNT_LIMIT

    def url_with(self, **changes: Any) -> str:
        params = self.params.copy()
        for key, value in changes.items():
            if value in (None, ""):
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + params.urlencode()

    def sort_url(self, column: ClientField) -> str:
        return self.url_with(sort=f"-{column.key}" if self.sort == column.key else column.key, page=None)

    def sort_state(self, column: ClientField) -> str:
        return "asc" if self.sort == column.key else "desc" if self.sort == f"-{column.key}" else ""

    @property
    def query_string(self) -> str:
        params = self.params.copy()
        params.pop("page", None)
        return params.urlencode()


def build_listing(request: HttpRequest, actor: Membership, kind: str, params: QueryDict | None = None) -> ClientListing:
    params = params if params is not None else request.GET
    fields = client_fields(actor.workspace_id, kind)
    filters = filter_fields(actor.workspace_id, kind, base=fields)  # read once: the page needs them thrice
    definition, problems = definition_from_params(params, kind, filters)
    segment = None
    if params.get("segment", "").isdigit():
        segment = get_visible(actor, segments_visible_to(actor, kind), params["segment"])
    sort = params.get("sort", "name")
    if sort.lstrip("-") not in fields or not fields[sort.lstrip("-")].sortable:
        sort = "name"
    wanted = [c for c in params.get("cols", "").split(",") if c in fields] or DEFAULT_COLUMNS[kind]
    columns = [fields[c] for c in wanted if c in fields]
    queryset = client_list(actor, kind, definition=definition, segment=segment, sort=sort, fields=filters)
    queryset = queryset.prefetch_related("tags") if any(c.key == "tags" for c in columns) else queryset
    try:
        page_size = int(params.get("page_size", 50))
    except ValueError:
        page_size = 50
    page_size = page_size if page_size in PAGE_SIZES else 50
    page = CountedPaginator(queryset, page_size).get_page(params.get("page"))
    return ClientListing(kind, fields, definition, columns, sort, page, page_size, params, segment, problems, filters)


def field_catalogue(
    fields: dict[str, ClientField],
    actor: Membership,
    *,
    members: Iterable[Membership] | None = None,
    statuses: Iterable[LifecycleStatus] | None = None,
    tags: Iterable[Tag] | None = None,
) -> list[dict[str, Any]]:
    """The fields as the condition builder (Alpine) needs them (the page's own lists of
    colleagues, statuses and tags may be passed in, so that they are read once)."""
    if members is None:
        members = members_visible_to(actor).order_by("user__full_name")
    people = [{"value": m.user_id, "label": m.user.full_name} for m in members]
    statuses = statuses if statuses is not None else statuses_of(actor)
    status_options = [{"value": s.pk, "label": s.display_name} for s in statuses]
    tag_options = [{"value": t.pk, "label": t.name} for t in (tags if tags is not None else tags_of(actor))]
    catalogue = []
    for entry in fields.values():
        options: list[dict[str, Any]] = [{"value": c[0], "label": str(c[1])} for c in entry.choices]
        if entry.type == "user":
            options = people
        elif entry.type == "status":
            options = status_options
        elif entry.type == "tags":
            options = tag_options
        elif entry.type == "boolean":
            options = [{"value": "true", "label": _("yes")}, {"value": "false", "label": _("no")}]
        catalogue.append(
            {
                "key": entry.key,
                "label": str(entry.label),
                "type": entry.type,
                # "between" is two conditions in the builder (at least / at most).
                "ops": [{"value": op, "label": str(OPERATOR_LABELS[op])} for op in entry.operators if op != "between"],
                "options": options,
            }
        )
    return catalogue


def list_context(request: HttpRequest, actor: Membership, listing: ClientListing) -> dict[str, Any]:
    kind = listing.kind
    statuses = list(statuses_of(actor))
    owners = list(members_visible_to(actor).order_by("user__full_name"))
    tags = list(tags_of(actor))
    return {
        "listing": listing,
        "kind": kind,
        "kind_label": _("Companies") if kind == ClientKind.COMPANY else _("People"),
        "statuses": statuses,
        "owners": owners,
        "tags": tags,
        "segments": segments_visible_to(actor, kind),
        "saved_views": saved_views_of(actor, kind),
        "catalogue": field_catalogue(listing.filters, actor, members=owners, statuses=statuses, tags=tags),
        "advanced": request.GET.getlist("cond"),
        "all_columns": [f for f in listing.fields.values()],
        "selected_columns": [c.key for c in listing.columns],
        "list_url": request.path,
    }


def _list_view(kind: str) -> Any:
    @permission_required("clients", "view")
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        listing = build_listing(request, actor, kind)
        context = list_context(request, actor, listing)
        if request.htmx and request.htmx.target == "list-results":  # type: ignore[attr-defined]
            return render(request, "clients/_list_results.html", context)
        return render(request, "clients/list.html", context)

    view.__name__ = f"{kind}_list"
    return view


company_list = _list_view(ClientKind.COMPANY)
person_list = _list_view(ClientKind.PERSON)


urls = [
    path("companies/", company_list, name="companies"),
    path("people/", person_list, name="people"),
]
