"""Reads of the category tree, through the access mechanism."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from relata.catalog.models import Category
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership


@dataclass(frozen=True)
class CategoryNode:
    """A category in tree order with its depth (0: top level), how many products (in
    use or not) it holds directly and with its subcategories, and how many subcategories
    it has directly."""

    category: Category
    depth: int
    products: int
    total: int
    children: int


def categories_visible_to(actor: Membership) -> QuerySet[Category]:
    return scope_queryset(actor, Category.objects.all()).order_by("position", "name", "id")


def category_get(actor: Membership, pk: int | str) -> Category:
    return get_visible(actor, categories_visible_to(actor).select_related("parent"), pk)


def category_tree(actor: Membership) -> list[CategoryNode]:
    """Every category, parents before their children, siblings by position and name
    (two queries whatever the size of the tree)."""
    categories = list(categories_visible_to(actor).annotate(product_count=Count("products")))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[CategoryNode] = []

    def walk(parent_id: int | None, depth: int) -> int:
        """Append the subtree under `parent_id`; return how many products it holds."""
        held = 0
        for category in children.get(parent_id, []):
            kids = children.get(category.pk, [])
            direct: int = category.product_count  # type: ignore[attr-defined]
            at = len(nodes)
            nodes.append(CategoryNode(category, depth, direct, direct, len(kids)))
            below = walk(category.pk, depth + 1)
            nodes[at] = CategoryNode(category, depth, direct, direct + below, len(kids))
            held += direct + below
        return held

    walk(None, 0)
    return nodes


def category_choices(
    actor: Membership, *, empty: str | None = None, exclude_subtree_of: int | None = None
) -> list[tuple[int | str, str]]:
    """(id, indented name) pairs for a picker; `exclude_subtree_of` leaves out a category
    and everything below it (where it cannot be moved)."""
    choices: list[tuple[int | str, str]] = [("", empty)] if empty is not None else []
    skipping_below: int | None = None
    for node in category_tree(actor):
        if skipping_below is not None and node.depth > skipping_below:
            continue
        skipping_below = None
        if node.category.pk == exclude_subtree_of:
            skipping_below = node.depth
            continue
        choices.append((node.category.pk, "— " * node.depth + node.category.name))
    return choices


def subtree_ids(actor: Membership, category_id: int) -> list[int]:
    """The category and every category below it (what "products of a category" covers)."""
    below: dict[int | None, list[int]] = {}
    for pk, parent_id in categories_visible_to(actor).values_list("pk", "parent_id"):
        below.setdefault(parent_id, []).append(pk)
    found, queue = [], [category_id]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(below.get(current, []))
    return found
