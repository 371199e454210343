"""Settings of the client base through the API: custom fields, lifecycle statuses, tags
and assignment rules.

Reading custom fields, statuses and tags needs `clients.view` (a program must know them to
write clients); changing custom fields and statuses needs `admin.change`; assignment rules
need `clients.assign` to read or change. Custom fields are never deleted (their values
stay in the clients' records): PATCH `is_active: false` takes one out of use.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.models import AssignmentRule, ClientKind, CustomField, LifecycleStatus, Tag
from relata.clients.models.segments import AssignmentStrategy
from relata.clients.selectors.clients import clients_visible_to, statuses_of, tags_of
from relata.clients.services.assignment import (
    assignment_rule_create,
    assignment_rule_delete,
    assignment_rule_update,
    assignment_rules_visible_to,
)
from relata.clients.services.custom_fields import custom_field_create, custom_field_update, custom_fields_visible_to
from relata.clients.services.statuses import status_create, status_delete, status_update
from relata.core.access import get_visible, require

router = Router(tags=["client settings"])


class Ref(Schema):
    id: int
    name: str


def _sent_or(sent: dict[str, Any], name: str, current: Any) -> Any:
    """A PATCH field's new value, or the current one when it was not sent (or sent null)."""
    value = sent.get(name)
    return current if value is None else value


# --- Custom fields --------------------------------------------------------------------


class CustomFieldOut(Schema):
    id: int
    entity: str = Field(..., description="company or person.")
    key: str = Field(..., description="Names the field in clients' `custom` object and in filters (custom.<key>).")
    label: str
    field_type: str = Field(..., description="text, number, money, date, choice, multichoice, boolean or user.")
    choices: list[str]
    required: bool
    help_text: str
    position: int
    is_active: bool
    version: int


class CustomFieldIn(Schema):
    entity: str = Field(..., description="company or person.")
    label: str
    field_type: str = Field(..., description="text, number, money, date, choice, multichoice, boolean or user.")
    key: str = Field("", description="Optional; made from the label when empty. Never changes afterwards.")
    choices: list[str] = Field(default_factory=list, description="For choice and multichoice fields.")
    required: bool = False
    help_text: str = ""


class CustomFieldPatch(Schema):
    """Only the fields sent change. The key and type are fixed: sending other values is refused."""

    version: int
    label: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    help_text: str | None = None
    position: int | None = None
    is_active: bool | None = None
    key: str | None = Field(None, description="Fixed; only the current key is accepted.")
    field_type: str | None = Field(None, description="Fixed; only the current type is accepted.")


class CustomFieldFilter(Schema):
    entity: str | None = Field(None, description="company or person.")
    is_active: bool | None = None


@router.get("/custom-fields", response=list[CustomFieldOut], summary="Custom fields of companies and people")
@paginate(PagePagination)
def custom_field_list(request: HttpRequest, filters: Query[CustomFieldFilter]) -> QuerySet[CustomField]:
    actor = actor_of(request)
    require(actor, "clients", "view")
    if filters.entity is not None and filters.entity not in ClientKind.values:
        raise ValidationError({"entity": ["Choose company or person."]})
    queryset = custom_fields_visible_to(actor, filters.entity)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return queryset


@router.get("/custom-fields/{field_id}", response=CustomFieldOut, summary="One custom field")
def custom_field_detail(request: HttpRequest, field_id: int) -> CustomField:
    actor = actor_of(request)
    return get_visible(actor, custom_fields_visible_to(actor), field_id)


@router.post("/custom-fields", response={201: CustomFieldOut}, summary="Create a custom field (administrators)")
def custom_field_new(request: HttpRequest, payload: CustomFieldIn) -> Status:
    definition = custom_field_create(
        actor_of(request),
        entity=payload.entity,
        label=payload.label,
        field_type=payload.field_type,
        key=payload.key,
        choices=payload.choices,
        required=payload.required,
        help_text=payload.help_text,
    )
    return Status(201, definition)


@router.patch(
    "/custom-fields/{field_id}",
    response=CustomFieldOut,
    summary="Change a custom field's label, choices, hint, order, or take it out of use (administrators)",
)
def custom_field_change(request: HttpRequest, field_id: int, payload: CustomFieldPatch) -> CustomField:
    actor = actor_of(request)
    require(actor, "admin", "change")  # the permission first: nothing is looked up without it
    definition = get_visible(actor, custom_fields_visible_to(actor), field_id)
    errors: dict[str, list[str]] = {}
    if payload.key is not None and payload.key != definition.key:
        errors["key"] = ["The key of a field never changes; create a new field instead."]
    if payload.field_type is not None and payload.field_type != definition.field_type:
        errors["field_type"] = ["The type of a field never changes; create a new field instead."]
    if errors:
        raise ValidationError(errors)
    sent = payload.dict(exclude_unset=True)
    return custom_field_update(
        actor,
        definition.pk,
        version=payload.version,
        label=_sent_or(sent, "label", definition.label),
        choices=_sent_or(sent, "choices", definition.choices),
        required=_sent_or(sent, "required", definition.required),
        help_text=_sent_or(sent, "help_text", definition.help_text),
        position=_sent_or(sent, "position", definition.position),
        is_active=_sent_or(sent, "is_active", definition.is_active),
    )


# --- Lifecycle statuses ---------------------------------------------------------------


class StatusOut(Schema):
    id: int
    key: str = Field(..., description="The built-in status's key (cold, considering, …); empty for added ones.")
    name: str = Field(..., description="The name shown (the built-in name unless renamed).")
    position: int
    is_default: bool = Field(..., description="New clients get this status unless another is given.")
    is_active: bool
    version: int

    @staticmethod
    def resolve_name(status: LifecycleStatus) -> str:
        return status.display_name


class StatusIn(Schema):
    name: str
    is_default: bool = False
    position: int | None = Field(None, description="Empty: after the existing statuses.")


class StatusPatch(Schema):
    """Only the fields sent change. An empty name gives a built-in status its built-in name back."""

    version: int
    name: str | None = None
    position: int | None = None
    is_default: bool | None = None
    is_active: bool | None = None


@router.get("/statuses", response=list[StatusOut], summary="Lifecycle statuses, in order")
@paginate(PagePagination)
def status_list(request: HttpRequest, is_active: bool | None = None) -> QuerySet[LifecycleStatus]:
    actor = actor_of(request)
    require(actor, "clients", "view")
    queryset = statuses_of(actor).order_by("position", "id")
    return queryset if is_active is None else queryset.filter(is_active=is_active)


@router.get("/statuses/{status_id}", response=StatusOut, summary="One lifecycle status")
def status_detail(request: HttpRequest, status_id: int) -> LifecycleStatus:
    actor = actor_of(request)
    return get_visible(actor, statuses_of(actor), status_id)


@router.post("/statuses", response={201: StatusOut}, summary="Add a lifecycle status (administrators)")
def status_new(request: HttpRequest, payload: StatusIn) -> Status:
    actor = actor_of(request)
    status = status_create(actor, name=payload.name, is_default=payload.is_default, position=payload.position)
    return Status(201, status)


@router.patch(
    "/statuses/{status_id}", response=StatusOut, summary="Rename, reorder or retire a status (administrators)"
)
def status_change(request: HttpRequest, status_id: int, payload: StatusPatch) -> LifecycleStatus:
    actor = actor_of(request)
    require(actor, "admin", "change")
    status = get_visible(actor, statuses_of(actor), status_id)
    sent = payload.dict(exclude_unset=True)
    return status_update(
        actor,
        status.pk,
        version=payload.version,
        name=_sent_or(sent, "name", status.name),
        position=_sent_or(sent, "position", status.position),
        is_default=_sent_or(sent, "is_default", status.is_default),
        is_active=_sent_or(sent, "is_active", status.is_active),
    )


@router.delete("/statuses/{status_id}", response={204: None}, summary="Delete a status no client has (administrators)")
def status_remove(request: HttpRequest, status_id: int) -> Status:
    status_delete(actor_of(request), status_id)
    return Status(204, None)


# --- Tags -----------------------------------------------------------------------------


class TagOut(Schema):
    id: int
    name: str
    clients: int = Field(..., alias="client_count", description="Clients you can see that have the tag.")


@router.get("/tags", response=list[TagOut], summary="Tags with the number of your visible clients having each")
@paginate(PagePagination)
def tag_list(request: HttpRequest, q: str | None = None) -> QuerySet[Tag]:
    """Tags are created by typing them on clients; the count is within the caller's scope."""
    actor = actor_of(request)
    require(actor, "clients", "view")
    visible = clients_visible_to(actor).values("pk")
    queryset = tags_of(actor).annotate(client_count=Count("clients", filter=Q(clients__in=visible)))
    if q and q.strip():
        # Matched in Python: SQLite's LIKE folds the case of Latin letters only, and a
        # workspace has hundreds of tags, not millions.
        wanted = q.strip().casefold()
        names = tags_of(actor).values_list("pk", "name")
        queryset = queryset.filter(pk__in=[pk for pk, name in names if wanted in name.casefold()])
    return queryset.order_by("name", "id")


# --- Assignment rules -----------------------------------------------------------------


class AssignmentRuleOut(Schema):
    id: int
    name: str
    entity: str = Field(..., description="company, person, or empty for both.")
    segment: Ref | None
    strategy: str = Field(..., description="round_robin or least_loaded.")
    managers: list[Ref]
    position: int
    is_active: bool
    version: int

    @staticmethod
    def resolve_segment(rule: AssignmentRule) -> dict[str, Any] | None:
        return {"id": rule.segment.pk, "name": rule.segment.name} if rule.segment else None

    @staticmethod
    def resolve_managers(rule: AssignmentRule) -> list[dict[str, Any]]:
        # In the order the rule takes them in turn (by id, as the assignment service).
        return [{"id": user.pk, "name": user.full_name} for user in sorted(rule.managers.all(), key=lambda u: u.pk)]


class AssignmentRuleIn(Schema):
    name: str
    entity: str = Field("", description="company, person, or empty for both.")
    segment_id: int | None = Field(None, description="A dynamic segment the new client must match.")
    strategy: str = Field(AssignmentStrategy.ROUND_ROBIN.value, description="round_robin or least_loaded.")
    manager_ids: list[int] = Field(..., description="User ids of active colleagues.")
    position: int | None = Field(None, description="Empty: tried after the existing rules.")
    is_active: bool = True


class AssignmentRulePatch(Schema):
    """Only the fields sent change; `segment_id: null` removes the segment."""

    version: int
    name: str | None = None
    entity: str | None = None
    segment_id: int | None = None
    strategy: str | None = None
    manager_ids: list[int] | None = None
    position: int | None = None
    is_active: bool | None = None


def _rule(actor: Any, rule_id: int) -> AssignmentRule:
    require(actor, "clients", "assign")
    return get_visible(actor, assignment_rules_visible_to(actor), rule_id)


@router.get("/assignment-rules", response=list[AssignmentRuleOut], summary="Assignment rules, in the order tried")
@paginate(PagePagination)
def assignment_rule_list(request: HttpRequest) -> QuerySet[AssignmentRule]:
    actor = actor_of(request)
    require(actor, "clients", "assign")
    return assignment_rules_visible_to(actor)


@router.get("/assignment-rules/{rule_id}", response=AssignmentRuleOut, summary="One assignment rule")
def assignment_rule_detail(request: HttpRequest, rule_id: int) -> AssignmentRule:
    return _rule(actor_of(request), rule_id)


@router.post("/assignment-rules", response={201: AssignmentRuleOut}, summary="Create an assignment rule")
def assignment_rule_new(request: HttpRequest, payload: AssignmentRuleIn) -> Status:
    actor = actor_of(request)
    rule = assignment_rule_create(
        actor,
        name=payload.name,
        entity=payload.entity,
        segment_id=payload.segment_id,
        strategy=payload.strategy,
        manager_ids=payload.manager_ids,
        position=payload.position,
        is_active=payload.is_active,
    )
    return Status(201, _rule(actor, rule.pk))


@router.patch("/assignment-rules/{rule_id}", response=AssignmentRuleOut, summary="Change an assignment rule")
def assignment_rule_change(request: HttpRequest, rule_id: int, payload: AssignmentRulePatch) -> AssignmentRule:
    actor = actor_of(request)
    rule = _rule(actor, rule_id)
    sent = payload.dict(exclude_unset=True)
    assignment_rule_update(
        actor,
        rule.pk,
        version=payload.version,
        name=_sent_or(sent, "name", rule.name),
        entity=_sent_or(sent, "entity", rule.entity),
        segment_id=sent.get("segment_id", rule.segment_id),  # null removes the segment
        strategy=_sent_or(sent, "strategy", rule.strategy),
        manager_ids=_sent_or(sent, "manager_ids", [user.pk for user in rule.managers.all()]),
        position=_sent_or(sent, "position", rule.position),
        is_active=_sent_or(sent, "is_active", rule.is_active),
    )
    return _rule(actor, rule.pk)


@router.delete("/assignment-rules/{rule_id}", response={204: None}, summary="Delete an assignment rule")
def assignment_rule_remove(request: HttpRequest, rule_id: int) -> Status:
    actor = actor_of(request)
    rule = _rule(actor, rule_id)
    assignment_rule_delete(actor, rule.pk)
    return Status(204, None)
