"""Categories of the catalog: add, rename, move within the tree, reorder, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.catalog.models import Category, Product
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.errors import invalid
from relata.core.inputs import as_id, save_unique, text, unknown_fields, whole
from relata.core.models import Membership

FIELDS = ["name", "parent", "position"]
MAX_NAME = 150
MAX_DEPTH = 10  # deeper trees are a mistake, and the pickers would be unreadable


def _parent(actor: Membership, category: Category, value: Any) -> Category | None:
    """The chosen parent, refused when it is the category itself or one of its own
    subcategories (the tree would become a loop) or the tree would grow too deep."""
    if value in (None, ""):
        return None
    pk = as_id(value)
    parents = {c.pk: c for c in scope_queryset(actor, Category.objects.all())}
    parent = parents.get(pk) if pk is not None else None
    if parent is None:
        raise invalid("parent", _("Choose a category of the catalog."))
    depth = 1
    current: Category | None = parent
    while current is not None:
        if category.pk is not None and current.pk == category.pk:
            raise invalid("parent", _("A category cannot be placed inside itself or one of its subcategories."))
        depth += 1
        current = parents.get(current.parent_id) if current.parent_id is not None else None
        if depth > MAX_DEPTH:
            raise invalid("parent", _("Categories nest at most %(n)d levels deep.") % {"n": MAX_DEPTH})
    return parent


def _check_name_free(actor: Membership, category: Category) -> None:
    siblings = scope_queryset(actor, Category.objects.all()).filter(parent_id=category.parent_id)
    if category.pk is not None:
        siblings = siblings.exclude(pk=category.pk)
    # Compared in Python: SQLite's LOWER() folds only ASCII letters ("Кирпич"/"кирпич").
    wanted = category.name.casefold()
    if any(name.casefold() == wanted for name in siblings.values_list("name", flat=True)):
        raise invalid("name", _("There is already a category with this name here."))


@transaction.atomic
def category_save(actor: Membership, *, category_id: int | None = None, values: dict[str, Any]) -> Category:
    """Add a category (`category_id` None) or change one: only the keys given change.
    `parent` is a category id or None (top level); `position` orders the siblings (by
    default a new category comes after them)."""
    unknown_fields(values, FIELDS)
    category: Category
    if category_id is None:
        require(actor, "catalog", "create")
        category = Category(workspace_id=actor.workspace_id)
        before: dict[str, Any] = {}
    else:
        category = get_visible(actor, Category, category_id, for_write=True)
        before = snapshot(category, FIELDS)
    if category_id is None or "name" in values:
        category.name = text(values, "name", MAX_NAME, required=_("Name the category."))
    if category_id is None or "parent" in values:
        category.parent = _parent(actor, category, values.get("parent"))
    if values.get("position") not in (None, ""):
        category.position = whole(values["position"], "position")
    elif category_id is None:
        top = (
            scope_queryset(actor, Category.objects.all())
            .filter(parent_id=category.parent_id)
            .aggregate(top=Max("position"))["top"]
        )
        category.position = min((top or 0) + 10, 32_767)
    _check_name_free(actor, category)
    save_unique(category.save, "name", _("There is already a category with this name here."))
    changes = diff(before, snapshot(category, FIELDS))
    if category_id is None or changes:
        record_event(
            kind="category.created" if category_id is None else "category.changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=category,
            changes=changes,
        )
    return category


@transaction.atomic
def category_delete(actor: Membership, *, category_id: int) -> None:
    """Delete an empty category; one with subcategories or products (in use or not) is
    refused, since those would be left without a place."""
    category = get_visible(actor, Category, category_id, for_write=True, action="delete")
    if Category.objects.filter(workspace_id=actor.workspace_id, parent=category).exists():
        raise invalid("category", _("The category has subcategories; move or delete them first."))
    products = Product.objects.filter(workspace_id=actor.workspace_id, category=category)
    count = products.count()
    if count:
        raise invalid(
            "category",
            ngettext(
                "The category holds %(count)d product (in use or not); move it to another category first.",
                "The category holds %(count)d products (in use or not); move them to another category first.",
                count,
            )
            % {"count": count},
        )
    record_event(
        kind="category.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=category,
        changes=diff(snapshot(category, FIELDS), {}),
    )
    category.delete()
