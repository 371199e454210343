"""Assignment of new clients to managers by rules, and reassignment."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from relata.clients.filtering import definition_q
from relata.clients.models import AssignmentRule, Client, ClientKind, Segment
from relata.clients.models.segments import AssignmentStrategy, SegmentKind
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

RULE_FIELDS = ["name", "position", "entity", "segment", "strategy", "is_active"]


def _matches(rule: AssignmentRule, client: Client) -> bool:
    if rule.entity and rule.entity != client.kind:
        return False
    segment = rule.segment
    if segment is None:
        return True
    if segment.entity != client.kind:
        return False
    matching = Client.objects.filter(pk=client.pk)
    if segment.kind == SegmentKind.STATIC:
        return matching.filter(segment_memberships__segment=segment).exists()
    return matching.filter(definition_q(client.workspace_id, client.kind, segment.definition)).exists()


def _active_managers(rule: AssignmentRule) -> list[int]:
    active = set(
        Membership.objects.filter(workspace_id=rule.workspace_id, is_active=True).values_list("user_id", flat=True)
    )
    return sorted(uid for uid in rule.managers.values_list("pk", flat=True) if uid in active)


def assignment_pick_owner(workspace_id: int, client: Client) -> int | None:
    """The owner the first matching active rule gives `client` (saved), or None.

    Round-robin keeps its position on the rule, locked while it is read and advanced, so
    concurrent creations take turns; least-loaded counts the managers' clients."""
    rules = AssignmentRule.objects.filter(workspace_id=workspace_id, is_active=True).select_related("segment")
    for rule in rules.order_by("position", "id"):
        if not _matches(rule, client):
            continue
        managers = _active_managers(rule)
        if not managers:
            continue
        if rule.strategy == AssignmentStrategy.LEAST_LOADED:
            loads = Counter(
                dict(
                    Client.objects.filter(workspace_id=workspace_id, owner_id__in=managers)
                    .exclude(pk=client.pk)
                    .values_list("owner_id")
                    .annotate(n=Count("id"))
                    .values_list("owner_id", "n")
                )
            )
            return min(managers, key=lambda uid: (loads.get(uid, 0), uid))
        with transaction.atomic():
            locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
            chosen = managers[locked.next_index % len(managers)]
            AssignmentRule.objects.filter(pk=rule.pk).update(next_index=locked.next_index + 1)
        return chosen
    return None


def _clean_rule(
    actor: Membership, *, name: str, entity: str, segment_id: int | None, strategy: str, manager_ids: list[int]
) -> tuple[str, Segment | None, list[int]]:
    name = name.strip()
    if not name:
        raise invalid("name", _("Name the rule."))
    if entity and entity not in ClientKind.values:
        raise invalid("entity", _("Choose companies, people or both."))
    if strategy not in AssignmentStrategy.values:
        raise invalid("strategy", _("Choose how to distribute."))
    segment = None
    if segment_id:
        segment = Segment.objects.filter(workspace_id=actor.workspace_id, pk=segment_id).first()
        if segment is None:
            raise invalid("segment", _("Choose a segment of this workspace."))
        if entity and segment.entity != entity:
            raise invalid("segment", _("The segment is of another kind of client."))
    members = set(
        Membership.objects.filter(workspace_id=actor.workspace_id, is_active=True, user_id__in=manager_ids).values_list(
            "user_id", flat=True
        )
    )
    if not manager_ids or members != set(manager_ids):
        raise invalid("managers", _("Choose one or more active colleagues."))
    return name, segment, sorted(members)


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
) -> AssignmentRule:
    require(actor, "clients", "assign")
    name, segment, managers = _clean_rule(
        actor, name=name, entity=entity, segment_id=segment_id, strategy=strategy, manager_ids=manager_ids
    )
    last = AssignmentRule.objects.filter(workspace_id=actor.workspace_id).aggregate(m=Max("position"))["m"] or 0
    rule = AssignmentRule.objects.create(
        workspace_id=actor.workspace_id,
        name=name,
        entity=entity,
        segment=segment,
        strategy=strategy,
        position=last + 10,
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
    require(actor, "clients", "assign")
    rule = get_visible(actor, AssignmentRule, rule_id)
    before = {**snapshot(rule, RULE_FIELDS), "managers": sorted(rule.managers.values_list("pk", flat=True))}
    rule.name, rule.segment, managers = _clean_rule(
        actor, name=name, entity=entity, segment_id=segment_id, strategy=strategy, manager_ids=manager_ids
    )
    rule.entity, rule.strategy, rule.position, rule.is_active = entity, strategy, position, is_active
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
