"""Price lists and the prices in them."""

from __future__ import annotations

import decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from relata.catalog.models import PriceList, PriceListItem, Product
from relata.clients.models import Segment
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.errors import invalid
from relata.core.inputs import as_id, flag, save_unique, text, unknown_fields, whole
from relata.core.models import Membership
from relata.core.money import clean_currency, clean_money

FIELDS = ["name", "currency", "segment", "priority", "is_active"]
MAX_NAME = 150


def _segment(actor: Membership, price_list: PriceList, value: Any) -> Segment | None:
    """A segment the actor may use (shared or their own), or the one the list already
    has (a colleague's private segment stays when somebody else edits the list)."""
    if value in (None, ""):
        return None
    pk = as_id(value)
    usable = segments_visible_to(actor) | Segment.objects.filter(
        workspace_id=actor.workspace_id, pk=price_list.segment_id or 0
    )
    segment = usable.filter(pk=pk).first() if pk is not None else None
    if segment is None:
        raise invalid("segment", _("Choose a segment you can see, or none for the base list."))
    return segment


def _check_one_active_base(actor: Membership, price_list: PriceList) -> None:
    if price_list.segment_id is not None or not price_list.is_active:
        return
    others = PriceList.objects.filter(
        workspace_id=actor.workspace_id, currency=price_list.currency, segment__isnull=True, is_active=True
    )
    if price_list.pk is not None:
        others = others.exclude(pk=price_list.pk)
    other = others.first()
    if other is not None:
        raise invalid(
            "segment",
            _(
                "“%(name)s” is already the active base list in %(currency)s; choose a segment, "
                "or make one of the two inactive."
            )
            % {"name": other.name, "currency": price_list.currency},
        )


@transaction.atomic
def price_list_save(actor: Membership, *, price_list_id: int | None = None, values: dict[str, Any]) -> PriceList:
    """Add a price list (`price_list_id` None) or change one: only the keys given change.
    `segment` None makes it the base list of its currency (one active per currency);
    `currency` empty is the workspace's currency."""
    unknown_fields(values, FIELDS)
    creating = price_list_id is None
    price_list: PriceList
    if creating:
        require(actor, "catalog", "create")
        price_list = PriceList(workspace_id=actor.workspace_id)
        before: dict[str, Any] = {}
    else:
        price_list = get_visible(actor, PriceList, price_list_id, for_write=True)
        before = snapshot(price_list, FIELDS)
    if creating or "name" in values:
        price_list.name = text(values, "name", MAX_NAME, required=_("Name the price list."))
    if creating or "currency" in values:
        price_list.currency = clean_currency(values.get("currency"), default=actor.workspace.default_currency)
    if creating or "segment" in values:
        price_list.segment = _segment(actor, price_list, values.get("segment"))
    if values.get("priority") not in (None, ""):
        price_list.priority = whole(values["priority"], "priority")
    if "is_active" in values and values["is_active"] is not None:
        price_list.is_active = flag(values["is_active"], "is_active")
    _check_one_active_base(actor, price_list)
    save_unique(price_list.save, "segment", _("There is already an active base list in this currency."))
    changes = diff(before, snapshot(price_list, FIELDS))
    if creating or changes:
        record_event(
            kind="price_list.created" if creating else "price_list.changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=price_list,
            changes=changes,
        )
    return price_list


@transaction.atomic
def price_list_delete(actor: Membership, *, price_list_id: int) -> None:
    """Delete a price list with its prices. Records of other apps that keep a reference
    to it (protected) refuse the deletion; making the list inactive is the way then."""
    price_list = get_visible(actor, PriceList, price_list_id, for_write=True, action="delete")
    count = price_list.items.count()
    record_event(
        kind="price_list.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=price_list,
        changes=diff(snapshot(price_list, FIELDS), {}),
        data={"prices": count},
    )
    try:
        with transaction.atomic():
            price_list.delete()
    except ProtectedError as error:
        users = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
        raise invalid(
            "price_list",
            _("The price list is in use (%(users)s); make it inactive instead.") % {"users": ", ".join(users)},
        ) from error


def _product(actor: Membership, product_id: Any) -> Product:
    """A product of the actor's catalog; otherwise a field error (never saying whether
    the id exists elsewhere)."""
    pk = as_id(product_id)
    product = scope_queryset(actor, Product.objects.all()).filter(pk=pk).first() if pk is not None else None
    if product is None:
        raise invalid("product", _("Choose a product of the catalog."))
    return product


@transaction.atomic
def price_set(actor: Membership, *, price_list_id: int, product_id: int, price: Any) -> PriceListItem:
    """Set or change one product's price in a list (`catalog.change`: the list changes).
    Products out of use get no new prices. Setting the same price again writes nothing."""
    price_list = get_visible(actor, PriceList, price_list_id, for_write=True)
    product = _product(actor, product_id)
    amount = cast("decimal.Decimal", clean_money(price, "price", required=True))  # required: never None
    item = (
        PriceListItem.objects.select_for_update()
        .filter(workspace_id=actor.workspace_id, price_list=price_list, product=product)
        .first()
    )
    old: decimal.Decimal | None = item.price if item is not None else None
    if item is None:
        if not product.is_active:
            raise invalid("product", _("The product is out of use; put it back in use to price it."))
        item = PriceListItem(workspace_id=actor.workspace_id, price_list=price_list, product=product, price=amount)
        save_unique(item.save, "product", _("The product already has a price in this list."))
    elif item.price != amount:
        item.price = amount
        item.save(update_fields=["price", "updated_at"])
    else:
        return item
    record_event(
        kind="price.set",
        workspace=actor.workspace,
        actor=actor.user,
        target=price_list,
        changes={"price": [old, amount]},
        data={"product": product.pk, "product_name": product.name, "sku": product.sku},
    )
    return item


@transaction.atomic
def price_remove(actor: Membership, *, price_list_id: int, product_id: int) -> None:
    """Remove a product's price from a list (`catalog.change`). Removing a price the list
    does not have is refused, naming the product."""
    price_list = get_visible(actor, PriceList, price_list_id, for_write=True)
    product = _product(actor, product_id)
    item = PriceListItem.objects.filter(workspace_id=actor.workspace_id, price_list=price_list, product=product).first()
    if item is None:
        raise invalid("product", _("The product has no price in this list."))
    record_event(
        kind="price.removed",
        workspace=actor.workspace,
        actor=actor.user,
        target=price_list,
        changes={"price": [item.price, None]},
        data={"product": product.pk, "product_name": product.name, "sku": product.sku},
    )
    item.delete()
