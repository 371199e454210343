"""Assignment of new clients to managers by rules.

Rules are tried in order (position, then id); the first active rule whose kind and
segment match the new client gives it one of the rule's active managers, in turn
(round-robin) or to the one with the fewest clients (least-loaded). Without a matching
rule the client stays with its creator. Rules are managed with `clients.assign`.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from relata.clients.filtering import apply_definition
from relata.clients.models import AssignmentRule, Client, ClientKind, Segment
from relata.clients.models.segments import AssignmentStrategy, SegmentKind
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

log = logging.getLogger(__name__)

RULE_FIELDS = ["name", "position", "entity", "segment", "strategy", "is_active"]
MAX_NAME = 150
MAX_POSITION = 32767  # a PositiveSmallIntegerField


def assignment_rules_visible_to(actor: Membership) -> QuerySet[AssignmentRule]:
    """The workspace's rules in the order they are tried, with their segment and
    managers loaded; empty without `clients.assign` (the rules name who gets what)."""
    if not actor.can("clients", "assign"):
        return AssignmentRule.objects.none()
    return (
        scope_queryset(actor, AssignmentRule.objects.all())
        .select_related("segment")
        .prefetch_related("managers")
        .order_by("position", "id")
    )


def _matching(rule: AssignmentRule, clients: list[Client]) -> list[Client]:
    """The clients (saved) that are of the rule's kind and in its segment."""
    clients = [c for c in clients if not rule.entity or rule.entity == c.kind]
    segment = rule.segment
    if segment is None or not clients:
        return clients
    clients = [c for c in clients if c.kind == segment.entity]
    if not clients:
        return []
    queryset: QuerySet[Client] = Client.objects.filter(workspace_id=rule.workspace_id, pk__in=[c.pk for c in clients])
    try:
        if segment.kind == SegmentKind.STATIC:
            queryset = queryset.filter(segment_memberships__segment=segment)
        else:  # the whole definition, its search text included
            queryset = apply_definition(queryset, rule.workspace_id, segment.entity, segment.definition)
        matched = set(queryset.values_list("pk", flat=True))
    except ValidationError:
        # A segment that no longer makes sense (e.g. its custom field was removed) must
        # not stop clients from being created: the rule is skipped.
        log.warning("assignment rule %s: segment %s cannot be evaluated; skipped", rule.pk, segment.pk)
        return []
    return [c for c in clients if c.pk in matched]


def _active_managers(rule: AssignmentRule) -> list[int]:
    active = set(
        Membership.objects.filter(workspace_id=rule.workspace_id, is_active=True).values_list("user_id", flat=True)
    )
    return sorted(uid for uid in rule.managers.values_list("pk", flat=True) if uid in active)


def _least_loaded(rule: AssignmentRule, managers: list[int], clients: list[Client]) -> list[int]:
    """Owners for `clients` in turn to whoever has the fewest clients (ties: the lower id),
    each assignment counting towards the next."""
    loads = Counter(
        dict(
            Client.objects.filter(workspace_id=rule.workspace_id, owner_id__in=managers)
            .exclude(pk__in=[c.pk for c in clients])
            .order_by()
            .values_list("owner_id")
            .annotate(n=Count("id"))
            .values_list("owner_id", "n")
        )
    )
    owners = []
    for _client in clients:
        chosen = min(managers, key=lambda uid: (loads.get(uid, 0), uid))
        loads[chosen] += 1
        owners.append(chosen)
    return owners


def _round_robin(rule: AssignmentRule, managers: list[int], count: int) -> list[int]:
    """The next `count` turns of the rule. The turn is kept on the rule, locked while it
    is read and advanced, so concurrent creations take turns."""
    with transaction.atomic():
        start = AssignmentRule.objects.select_for_update().values_list("next_index", flat=True).get(pk=rule.pk)
        owners = [managers[(start + n) % len(managers)] for n in range(count)]
        # Kept below the number of managers: the turn stays meaningful and never overflows.
        AssignmentRule.objects.filter(pk=rule.pk).update(next_index=(start + count) % len(managers))
    return owners


def assignment_pick_owners(workspace_id: int, clients: list[Client]) -> dict[int, int]:
    """Owners the rules give saved `clients` (e.g. a chunk of an import), by client id;
    clients no rule matches are left out. The same as `assignment_pick_owner` for each in
    turn, with a few queries per rule instead of per client. The caller writes the owners."""
    owners: dict[int, int] = {}
    remaining = list(clients)
    rules = AssignmentRule.objects.filter(workspace_id=workspace_id, is_active=True).select_related("segment")
    for rule in rules.order_by("position", "id"):
        if not remaining:
            break
        matched = _matching(rule, remaining)
        if not matched:
            continue
        managers = _active_managers(rule)
        if not managers:
            continue
        if rule.strategy == AssignmentStrategy.LEAST_LOADED:
            chosen = _least_loaded(rule, managers, matched)
        else:
            chosen = _round_robin(rule, managers, len(matched))
        owners.update({client.pk: owner for client, owner in zip(matched, chosen, strict=True)})
        remaining = [c for c in remaining if c.pk not in owners]
    return owners


def assignment_pick_owner(workspace_id: int, client: Client) -> int | None:
    """The owner the first matching active rule gives `client` (saved), or None: the
    first active rule (by position) of its kind whose segment it is in, with an active
    manager, chooses one in turn (round-robin) or the one with the fewest clients."""
    return assignment_pick_owners(workspace_id, [client]).get(client.pk)


def _clean_rule(
    actor: Membership,
    *,
    name: str,
    entity: str,
    segment_id: int | None,
    strategy: str,
    manager_ids: list[int],
    current: Segment | None = None,
) -> tuple[str, Segment | None, list[int]]:
    """Every problem of a rule at once (ValidationError naming the fields). The rule's
    `current` segment may be kept even if the actor cannot see it."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Name the rule.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.") % {"n": MAX_NAME}]
    if entity and entity not in ClientKind.values:
        errors["entity"] = [_("Choose companies, people or both.")]
    if strategy not in AssignmentStrategy.values:
        errors["strategy"] = [_("Choose how to distribute.")]
    segment = None
    if segment_id:
        # Only segments the actor may see: a private segment of a colleague stays private.
        if current is not None and current.pk == segment_id:
            segment = current
        else:
            segment = segments_visible_to(actor).filter(pk=segment_id).first()
        if segment is None:
            errors["segment"] = [_("Choose a segment of this workspace.")]
        elif segment.kind != SegmentKind.DYNAMIC:
            errors["segment"] = [_("Choose a dynamic segment: a new client is never on a static list yet.")]
        elif entity and segment.entity != entity:
            errors["segment"] = [_("The segment is of another kind of client.")]
    wanted = set(manager_ids or [])
    members = set(
        Membership.objects.filter(workspace_id=actor.workspace_id, is_active=True, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    if not wanted or members != wanted:
        errors["managers"] = [_("Choose one or more active colleagues.")]
    if errors:
        raise ValidationError(errors)
    return name, segment, sorted(members)


def _clean_position(position: int) -> int:
    if not 0 <= position <= MAX_POSITION:
        raise invalid("position", _("Enter a number from 0 to %(max)d.") % {"max": MAX_POSITION})
    return position


@transaction.atomic
def assignment_rule_create(
    actor: Membership,
    *,
    name: str,
    entity: str = "",
    segment_id: int | None = None,
    strategy: str = AssignmentStrategy.ROUND_ROBIN,
    manager_ids: list[int],
    is_active: bool = True,
    position: int | None = None,
) -> AssignmentRule:
    """A new rule, tried last unless `position` is given."""
    require(actor, "clients", "assign")
    name, segment, managers = _clean_rule(
        actor, name=name, entity=entity, segment_id=segment_id, strategy=strategy, manager_ids=manager_ids
    )
    if position is None:
        last = AssignmentRule.objects.filter(workspace_id=actor.workspace_id).aggregate(m=Max("position"))["m"]
        position = min((last or 0) + 10, MAX_POSITION)
    rule = AssignmentRule.objects.create(
        workspace_id=actor.workspace_id,
        name=name,
        entity=entity,
        segment=segment,
        strategy=strategy,
        position=_clean_position(position),
        is_active=is_active,
    )
    rule.managers.set(managers)
    record_event(
        kind="assignment_rule.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=rule,
        changes={**diff({}, snapshot(rule, RULE_FIELDS)), "managers": [[], managers]},
    )
    return rule


@transaction.atomic
def assignment_rule_update(
    actor: Membership,
    rule_id: int,
    *,
    version: int,
    name: str,
    entity: str = "",
    segment_id: int | None = None,
    strategy: str,
    manager_ids: list[int],
    position: int,
    is_active: bool,
) -> AssignmentRule:
    """Change every setting of a rule. Stale `version`: StaleVersion, nothing written."""
    require(actor, "clients", "assign")
    rule = get_visible(actor, AssignmentRule, rule_id)
    before = {**snapshot(rule, RULE_FIELDS), "managers": sorted(rule.managers.values_list("pk", flat=True))}
    rule.name, rule.segment, managers = _clean_rule(
        actor,
        name=name,
        entity=entity,
        segment_id=segment_id,
        strategy=strategy,
        manager_ids=manager_ids,
        current=rule.segment,
    )
    rule.entity, rule.strategy, rule.is_active = entity, strategy, is_active
    rule.position = _clean_position(position)
    save_versioned(rule, expected_version=version, fields=RULE_FIELDS)
    rule.managers.set(managers)
    changes = diff(before, {**snapshot(rule, RULE_FIELDS), "managers": managers})
    if changes:
        record_event(
            kind="assignment_rule.changed", workspace=actor.workspace, actor=actor.user, target=rule, changes=changes
        )
    return rule


@transaction.atomic
def assignment_rule_delete(actor: Membership, rule_id: int) -> None:
    require(actor, "clients", "assign")
    rule = get_visible(actor, AssignmentRule, rule_id)
    record_event(kind="assignment_rule.deleted", workspace=actor.workspace, actor=actor.user, target=rule)
    rule.delete()
