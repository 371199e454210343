from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, QuerySet

from relata.core.access import scope_queryset
from relata.core.models import Membership, Team


def team_subtree_ids(workspace_id: int, team_id: int) -> frozenset[int]:
    """`team_id` and every team below it. Teams per workspace are few (a company's
    departments), so one query and a walk in Python beat a recursive CTE here."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Team.objects.filter(workspace_id=workspace_id).values_list("id", "parent_id"):
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = [team_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return frozenset(found)


def teams_visible_to(actor: Membership) -> QuerySet[Team]:
    """The workspace's teams: a directory every member may read."""
    return scope_queryset(actor, Team.objects.all()).select_related("parent")


def teams_with_counts(actor: Membership) -> QuerySet[Team]:
    return teams_visible_to(actor).annotate(
        member_count=Count("memberships", distinct=True), child_count=Count("children", distinct=True)
    )


def team_tree(actor: Membership) -> list[tuple[Team, int]]:
    """Teams in tree order with their depth, for indented lists and pickers."""
    teams = list(teams_with_counts(actor))
    by_parent: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        by_parent[team.parent_id].append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team in sorted(by_parent.get(parent_id, []), key=lambda t: t.name.lower()):
            ordered.append((team, depth))
            walk(team.pk, depth + 1)

    walk(None, 0)
    return ordered
