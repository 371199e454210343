"""The stock ledger: warehouses, levels under row locks, movements, suppliers and
purchase requests.

`lock_levels` is the only way to get levels to change: it creates missing rows, then
locks them with `select_for_update()` ordered by (product id, warehouse id). `move`
writes one movement and applies it to its locked level; both happen in the caller's
transaction, so the ledger and the levels never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.catalog.models import Product, ProductKind
from relata.clients.models import Client, ClientKind
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import record_event
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.orders.models import (
    MovementKind,
    Order,
    OrderLine,
    PurchaseRequest,
    PurchaseStatus,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from relata.orders.services.common import (
    clean_note,
    clean_quantity,
    product_of,
    quantity_text,
    warehouse_of,
)

LevelKey = tuple[int, int]  # (product id, warehouse id)


def lock_levels(workspace_id: int, keys: Iterable[LevelKey]) -> dict[LevelKey, StockLevel]:
    """The levels of `keys`, created if missing, locked in (product, warehouse) order
    until the transaction ends. Call inside a transaction."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    product_ids = {p for p, _w in wanted}
    warehouse_ids = {w for _p, w in wanted}
    rows = StockLevel.objects.filter(
        workspace_id=workspace_id, product_id__in=product_ids, warehouse_id__in=warehouse_ids
    )
    existing = set(rows.values_list("product_id", "warehouse_id"))
    for product_id, warehouse_id in wanted:
        if (product_id, warehouse_id) in existing:
            continue
        try:
            with transaction.atomic():  # a savepoint: a concurrent reservation may create it first
                StockLevel.objects.create(workspace_id=workspace_id, product_id=product_id, warehouse_id=warehouse_id)
        except IntegrityError:
            pass
    locked = rows.select_for_update().order_by("product_id", "warehouse_id")
    return {(lv.product_id, lv.warehouse_id): lv for lv in locked if (lv.product_id, lv.warehouse_id) in wanted}


def move(
    actor: Membership,
    level: StockLevel,
    kind: str,
    quantity: Decimal,
    *,
    order: Order | None = None,
    line: OrderLine | None = None,
    purchase_request: PurchaseRequest | None = None,
    note: str = "",
) -> StockMovement:
    """Apply a movement of signed `quantity` to the locked `level` and record it."""
    on_hand, reserved = level.on_hand, level.reserved
    if kind in (MovementKind.RECEIPT, MovementKind.ADJUSTMENT, MovementKind.SHIPMENT):
        on_hand += quantity
    if kind in (MovementKind.RESERVATION, MovementKind.RELEASE, MovementKind.SHIPMENT):
        reserved += quantity
    if on_hand < 0:
        raise invalid(
            "quantity",
            _("Only %(on_hand)s is on hand: stock cannot go below zero.") % {"on_hand": quantity_text(level.on_hand)},
        )
    if reserved < 0:  # the services never release more than they reserved
        raise invalid("quantity", _("More would be released than is reserved."))
    level.on_hand, level.reserved = on_hand, reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    return StockMovement.objects.create(
        workspace_id=level.workspace_id,
        kind=kind,
        product_id=level.product_id,
        warehouse_id=level.warehouse_id,
        quantity=quantity,
        order=order,
        order_line=line,
        purchase_request=purchase_request,
        author=actor.user,
        note=note,
    )


def _stocked(product: Product) -> Product:
    if product.kind != ProductKind.PRODUCT:
        raise invalid("product", _("A service is not kept in stock."))
    return product


# --- Warehouses ---------------------------------------------------------------------------


@transaction.atomic
def warehouse_create(actor: Membership, *, values: dict[str, Any]) -> Warehouse:
    """A new warehouse (`catalog.create`); names are unique in the workspace in any case."""
    require(actor, "catalog", "create")
    name = str(values.get("name") or "").strip()
    if not name:
        raise invalid("name", _("Enter the warehouse's name."), code="required")
    if len(name) > 150:
        raise invalid("name", _("At most %(limit)d characters.") % {"limit": 150})
    address = str(values.get("address") or "").strip()
    if len(address) > 500:
        raise invalid("address", _("At most %(limit)d characters.") % {"limit": 500})
    if Warehouse.objects.filter(workspace_id=actor.workspace_id, name__iexact=name).exists():
        raise invalid("name", _("A warehouse with this name exists already."), code="unique")
    warehouse = Warehouse.objects.create(
        workspace_id=actor.workspace_id, name=name, address=address, is_active=bool(values.get("is_active", True))
    )
    record_event(kind="warehouse.created", workspace=actor.workspace, actor=actor.user, target=warehouse)
    return warehouse


# --- Receipts and adjustments -------------------------------------------------------------


@transaction.atomic
def stock_receive(actor: Membership, *, product: Any, warehouse: Any, quantity: Any, note: Any = "") -> StockMovement:
    """Goods arrive in a warehouse without a purchase request (`catalog.change`)."""
    require(actor, "catalog", "change")
    item, place, amount, text = _stock_input(actor, product, warehouse, quantity, note)
    level = lock_levels(actor.workspace_id, [(item.pk, place.pk)])[(item.pk, place.pk)]
    movement = move(actor, level, MovementKind.RECEIPT, amount, note=text)
    record_event(
        kind="stock.received",
        workspace=actor.workspace,
        actor=actor.user,
        target=place,
        data={"product": item.pk, "quantity": str(amount)},
    )
    return movement


@transaction.atomic
def stock_adjust(actor: Membership, *, product: Any, warehouse: Any, quantity: Any, note: Any = "") -> StockMovement:
    """Correct the stock on hand after a count by a signed `quantity` (`catalog.change`).
    It may leave less on hand than is reserved: a shortage (see models.stock)."""
    require(actor, "catalog", "change")
    item, place, amount, text = _stock_input(actor, product, warehouse, quantity, note, signed=True)
    level = lock_levels(actor.workspace_id, [(item.pk, place.pk)])[(item.pk, place.pk)]
    if level.on_hand + amount < 0:
        raise invalid(
            "quantity",
            _("Only %(on_hand)s is on hand: stock cannot go below zero.") % {"on_hand": quantity_text(level.on_hand)},
        )
    movement = move(actor, level, MovementKind.ADJUSTMENT, amount, note=text)
    record_event(
        kind="stock.adjusted",
        workspace=actor.workspace,
        actor=actor.user,
        target=place,
        data={"product": item.pk, "quantity": str(amount)},
    )
    return movement


def _stock_input(
    actor: Membership, product: Any, warehouse: Any, quantity: Any, note: Any, *, signed: bool = False
) -> tuple[Product, Warehouse, Decimal, str]:
    errors: dict[str, list[ValidationError]] = {}
    found: dict[str, Any] = {}
    for name, check in (
        ("product", lambda: _stocked(product_of(actor, product))),
        ("warehouse", lambda: warehouse_of(actor, warehouse)),
        ("quantity", lambda: clean_quantity(quantity, signed=signed)),
        ("note", lambda: clean_note(note)),
    ):
        try:
            found[name] = check()
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return found["product"], found["warehouse"], found["quantity"], found["note"]


# --- Suppliers ----------------------------------------------------------------------------


def supplier_company(actor: Membership, value: Any, field: str = "supplier") -> Client:
    """A company of the client base registered as a supplier; else a field error."""
    pk = as_id(value)
    supplier = (
        scope_queryset(actor, Supplier.objects.all()).select_related("client").filter(client_id=pk).first()
        if pk
        else None
    )
    if supplier is None:
        raise invalid(field, _("Choose a company registered as a supplier."))
    return supplier.client


@transaction.atomic
def supplier_add(actor: Membership, *, client: Any, note: Any = "") -> Supplier:
    """Register a company of the client base as a supplier (`catalog.create`)."""
    require(actor, "catalog", "create")
    pk = as_id(client)
    company = scope_queryset(actor, Client.objects.all()).filter(pk=pk).first() if pk else None
    if company is None:
        raise invalid("client", _("Choose a company of the client base."))
    if company.kind != ClientKind.COMPANY:
        raise invalid("client", _("A supplier is a company, not a person."))
    text = clean_note(note)
    if Supplier.objects.filter(workspace_id=actor.workspace_id, client=company).exists():
        raise invalid("client", _("This company is a supplier already."), code="unique")
    supplier = Supplier.objects.create(workspace_id=actor.workspace_id, client=company, note=text)
    record_event(kind="supplier.added", workspace=actor.workspace, actor=actor.user, target=company)
    return supplier


# --- Purchase requests --------------------------------------------------------------------


def request_purchase(
    actor: Membership,
    *,
    product_id: int,
    warehouse_id: int,
    quantity: Decimal,
    supplier: Client | None,
    order: Order | None,
    note: str = "",
) -> PurchaseRequest:
    """Write a purchase request (the caller has checked the values and the permission)."""
    purchase = PurchaseRequest.objects.create(
        workspace_id=actor.workspace_id,
        supplier=supplier,
        product_id=product_id,
        warehouse_id=warehouse_id,
        quantity=quantity,
        order=order,
        note=note,
        author=actor.user,
    )
    record_event(
        kind="purchase_request.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=purchase,
        data={"product": product_id, "quantity": str(quantity), "order": order.pk if order else None},
    )
    return purchase


@transaction.atomic
def purchase_request_create(
    actor: Membership,
    *,
    product: Any,
    warehouse: Any,
    quantity: Any,
    supplier: Any = None,
    order: Any = None,
    note: Any = "",
) -> PurchaseRequest:
    """A purchase request made by hand (`catalog.create`), optionally for an order."""
    require(actor, "catalog", "create")
    item, place, amount, text = _stock_input(actor, product, warehouse, quantity, note)
    company = supplier_company(actor, supplier) if supplier not in (None, "") else None
    for_order = None
    if order not in (None, ""):
        pk = as_id(order)
        for_order = scope_queryset(actor, Order.objects.all()).filter(pk=pk).first() if pk else None
        if for_order is None:
            raise invalid("order", _("Choose an order of the workspace."))
    return request_purchase(
        actor,
        product_id=item.pk,
        warehouse_id=place.pk,
        quantity=amount,
        supplier=company,
        order=for_order,
        note=text,
    )


@transaction.atomic
def purchase_request_receive(
    actor: Membership, purchase_request_id: int, *, complete_reservation: bool = False
) -> PurchaseRequest:
    """The goods of an open request arrive (`catalog.change`): a receipt movement adds them
    to the warehouse. With `complete_reservation`, the request's order (unless cancelled)
    then reserves what its lines of the product still miss, as far as stock allows.
    Receiving twice is refused. Locks: the request, the order, then the level."""
    get_visible(actor, PurchaseRequest, purchase_request_id, for_write=True)
    purchase = PurchaseRequest.objects.select_for_update().get(pk=purchase_request_id)
    if purchase.status != PurchaseStatus.OPEN:
        raise invalid("status", _("This purchase request has been received already."))
    order = None
    if complete_reservation and purchase.order_id is not None:
        order = Order.objects.select_for_update().get(pk=purchase.order_id)
    key = (purchase.product_id, purchase.warehouse_id)
    level = lock_levels(actor.workspace_id, [key])[key]
    move(actor, level, MovementKind.RECEIPT, purchase.quantity, purchase_request=purchase, order=purchase.order)
    purchase.status = PurchaseStatus.RECEIVED
    purchase.received_at = timezone.now()
    purchase.save(update_fields=["status", "received_at", "updated_at"])
    reserved = Decimal(0)
    if order is not None and order.status != "cancelled" and order.warehouse_id == purchase.warehouse_id:
        lines = OrderLine.objects.filter(order=order, product_id=purchase.product_id).order_by("position", "id")
        for line in lines:
            take = min(line.missing, max(level.available, Decimal(0)))
            if take > 0:
                move(actor, level, MovementKind.RESERVATION, take, order=order, line=line)
                line.reserved += take
                line.save(update_fields=["reserved", "updated_at"])
                reserved += take
    record_event(
        kind="purchase_request.received",
        workspace=actor.workspace,
        actor=actor.user,
        target=purchase,
        data={"quantity": str(purchase.quantity), "reserved": str(reserved)},
    )
    return purchase
