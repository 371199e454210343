"""The query behind every list of clients: the UI's lists, the API, exports, bulk
actions and segment counts all narrow the same way."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from relata.clients.fields import DEFAULT_COLUMNS, ClientField, client_fields, filter_fields
from relata.clients.filtering import apply_definition, condition_q, parse_definition
from relata.clients.models import Client, Segment
from relata.clients.models.segments import SegmentKind
from relata.clients.selectors.clients import clients_visible_to
from relata.core.access import get_visible
from relata.core.models import Membership


def segment_queryset(actor: Membership, segment: Segment) -> QuerySet[Client]:
    """The segment's clients within the actor's scope (always evaluated now)."""
    queryset = clients_visible_to(actor, segment.entity)
    if segment.kind == SegmentKind.STATIC:
        return queryset.filter(segment_memberships__segment=segment)
    return apply_definition(queryset, actor.workspace_id, segment.entity, segment.definition)


def client_list(
    actor: Membership,
    kind: str,
    *,
    definition: dict[str, Any] | None = None,
    segment: Segment | None = None,
    sort: str = "name",
    fields: dict[str, ClientField] | None = None,
) -> QuerySet[Client]:
    """Visible clients of `kind`, narrowed by a filter definition and/or a segment, in a
    stable order (the id breaks ties, so pages never repeat or skip rows). `fields`: the
    workspace's `filter_fields` when the caller has them (a page needs them three times)."""
    queryset = segment_queryset(actor, segment) if segment is not None else clients_visible_to(actor, kind)
    if definition:
        queryset = apply_definition(queryset, actor.workspace_id, kind, parse_definition(definition), fields)
    return order_clients(queryset, actor.workspace_id, kind, sort, fields)


def order_clients(
    queryset: QuerySet[Client], workspace_id: int, kind: str, sort: str, fields: dict[str, ClientField] | None = None
) -> QuerySet[Client]:
    descending = sort.startswith("-")
    key = sort.lstrip("-") or "name"
    fields = fields if fields is not None else client_fields(workspace_id, kind)
    field = fields.get(key)
    if field is None or not field.sortable:
        raise ValidationError({"sort": [_("The list cannot be sorted by “%(key)s”.") % {"key": key}]})
    path = {"status": "status__position", "owner": "owner__full_name"}.get(key, field.path)
    if descending:
        # Empty values last; a column that cannot be empty is sorted plainly, which is the
        # same order and lets PostgreSQL read it from a descending index (created_at).
        expression = F(path).desc(nulls_last=True) if _nullable(path) else F(path).desc()
    else:
        expression = F(path).asc(nulls_last=True)
    return queryset.order_by(expression, "-pk" if descending else "pk")


def _nullable(path: str) -> bool:
    """Whether the column at the end of the ORM `path` may hold NULL (a custom field's
    JSON key may always be missing)."""
    model: Any = Client
    for name in path.split("__"):
        if model is None:
            return True  # a key inside a JSON column
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        if column.null:
            return True
        model = column.related_model if column.is_relation else None
    return False


def definition_from_params(
    params: QueryDict, kind: str, fields: dict[str, ClientField]
) -> tuple[dict[str, Any], list[str]]:
    """The filter definition of a list's query string: the quick filters and the
    advanced conditions (`cond=field|op|json-value`). Bad conditions are dropped and
    reported, so a stale bookmark still opens."""
    conditions: list[dict[str, Any]] = []
    problems: list[str] = []
    statuses = [v for v in params.getlist("status") if v.isdigit()]
    if statuses:
        conditions.append({"field": "status", "op": "in", "value": [int(v) for v in statuses]})
    owners = [v for v in params.getlist("owner") if v.isdigit()]
    if owners:
        conditions.append({"field": "owner", "op": "in", "value": [int(v) for v in owners]})
    tags = [v for v in params.getlist("tag") if v.isdigit()]
    if tags:
        conditions.append({"field": "tags", "op": "any", "value": [int(v) for v in tags]})
    city = str(params.get("city") or "").strip()
    if city:
        conditions.append({"field": "city", "op": "contains", "value": city})
    for raw in params.getlist("cond"):
        key, _sep, rest = raw.partition("|")
        op, _sep, value_json = rest.partition("|")
        try:
            value = json.loads(value_json) if value_json else None
        except json.JSONDecodeError:
            value = value_json
        condition = {"field": key, "op": op, "value": value}
        try:
            _check(fields, condition)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        conditions.append(condition)
    return {"conditions": conditions, "text": params.get("q", "").strip()[:200]}, problems


def _check(fields: dict[str, ClientField], condition: dict[str, Any]) -> None:
    field_def = fields.get(condition["field"])
    if field_def is None:
        raise ValidationError(_("A filter refers to a field that no longer exists."))
    condition_q(field_def, condition["op"], condition["value"])


def queryset_for_params(actor: Membership, kind: str, query: str) -> QuerySet[Client]:
    """The clients a list with this query string shows (for bulk actions and exports)."""
    from relata.clients.selectors.segments import segments_visible_to

    params = QueryDict(query)
    fields = client_fields(actor.workspace_id, kind)
    definition, _problems = definition_from_params(params, kind, filter_fields(actor.workspace_id, kind))
    segment = None
    if params.get("segment", "").isdigit():
        segment = get_visible(actor, segments_visible_to(actor, kind), params["segment"])
    return client_list(
        actor,
        kind,
        definition=parse_definition(definition),
        segment=segment,
        sort=params.get("sort", "name") if params.get("sort", "name").lstrip("-") in fields else "name",
    )


def columns_for_params(actor: Membership, kind: str, query: str) -> list[ClientField]:
    params = QueryDict(query)
    fields = client_fields(actor.workspace_id, kind)
    wanted = [c for c in params.get("cols", "").split(",") if c in fields] or DEFAULT_COLUMNS[kind]
    return [fields[c] for c in wanted]
