"""Orders: creation (from a won deal or directly) with the reservation of their lines,
cancellation, payments and shipments. Permissions: see the package docstring."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils.translation import gettext as _

from relata.catalog.models import VAT_RATES, Product, ProductKind
from relata.catalog.services.pricing import prices_for_client
from relata.clients.models import Client
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import record_event
from relata.core.concurrency import save_versioned
from relata.core.counters import raise_counter
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import as_id, date_or_today
from relata.core.models import Membership
from relata.core.money import CENT, clean_currency, clean_money, parse_decimal
from relata.orders.hooks import default_discount, order_cancelled, order_paid
from relata.orders.models import (
    MovementKind,
    Order,
    OrderCounter,
    OrderLine,
    OrderStatus,
    Payment,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from relata.orders.services.common import clean_note, clean_quantity, quantity_text, warehouse_of
from relata.orders.services.stock import lock_levels, move, request_purchase, supplier_company
from relata.sales.models import Deal, DealStatus

MAX_LINES = 200


def next_order_number(workspace_id: int) -> int:
    """The next order number of the workspace. Call inside the transaction that creates
    the order: the UPDATE keeps the counter's row locked until it ends."""
    return raise_counter(OrderCounter, workspace_id=workspace_id)


def _field(index: int, name: str) -> str:
    return f"lines.{index}.{name}"


def _line_total(quantity: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    gross = quantity * price * (Decimal(100) - discount) / Decimal(100)
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


def _collect(errors: dict[str, list[ValidationError]], error: ValidationError) -> None:
    for name, messages in error.error_dict.items():
        errors.setdefault(name, []).extend(messages)


# --- Reservation --------------------------------------------------------------------------


def _reserve(
    actor: Membership, order: Order, lines: list[OrderLine], *, shortage: bool, supplier: Client | None
) -> None:
    """Reserve what the stocked lines still miss in the order's warehouse. Without
    `shortage`, needing more than is available is refused (naming the product and what is
    available) and nothing is reserved; with it, the available part is reserved and one
    purchase request per product asks for the rest."""
    stocked = [line for line in lines if line.product.kind == ProductKind.PRODUCT and line.missing > 0]
    if not stocked:
        return
    levels = lock_levels(order.workspace_id, [(line.product_id, order.warehouse_id) for line in stocked])
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for line in stocked:
        needed[line.product_id] += line.missing
    if not shortage:
        errors: dict[str, list[ValidationError]] = {}
        for line in stocked:
            level = levels[(line.product_id, order.warehouse_id)]
            available = max(level.available, Decimal(0))
            if needed[line.product_id] > available:
                message = _(
                    "Only %(available)s of “%(product)s” is available in %(warehouse)s, %(needed)s needed: "
                    "reserve less or allow a shortage."
                ) % {
                    "available": quantity_text(available),
                    "product": line.product.name,
                    "warehouse": order.warehouse.name,
                    "needed": quantity_text(needed[line.product_id]),
                }
                errors.setdefault(_field(line.position, "quantity"), []).append(
                    ValidationError(message, code="not_available")
                )
                needed[line.product_id] = Decimal(0)  # one error per product
        if errors:
            raise ValidationError(errors)
    missing: dict[int, Decimal] = defaultdict(Decimal)
    for line in stocked:
        level = levels[(line.product_id, order.warehouse_id)]
        take = min(line.missing, max(level.available, Decimal(0)))
        if take > 0:
            move(actor, level, MovementKind.RESERVATION, take, order=order, line=line)
            line.reserved += take
            line.save(update_fields=["reserved", "updated_at"])
        if line.missing > 0:
            missing[line.product_id] += line.missing
    for product_id in sorted(missing):
        request_purchase(
            actor,
            product_id=product_id,
            warehouse_id=order.warehouse_id,
            quantity=missing[product_id],
            supplier=supplier,
            order=order,
            note=_("Shortage of order № %(number)s") % {"number": order.number},
        )


def _release(actor: Membership, order: Order, lines: list[OrderLine]) -> None:
    held = [line for line in lines if line.reserved > 0]
    levels = lock_levels(order.workspace_id, [(line.product_id, order.warehouse_id) for line in held])
    for line in held:
        move(
            actor,
            levels[(line.product_id, order.warehouse_id)],
            MovementKind.RELEASE,
            -line.reserved,
            order=order,
            line=line,
        )
        line.reserved = Decimal(0)
        line.save(update_fields=["reserved", "updated_at"])


# --- Creation -----------------------------------------------------------------------------


def _options(actor: Membership, values: dict[str, Any]) -> tuple[Warehouse, bool, Client | None, str]:
    errors: dict[str, list[ValidationError]] = {}
    warehouse: Warehouse | None = None
    supplier: Client | None = None
    note = ""
    try:
        warehouse = warehouse_of(actor, values.get("warehouse"))
    except ValidationError as error:
        _collect(errors, error)
    if values.get("supplier") not in (None, ""):
        try:
            supplier = supplier_company(actor, values.get("supplier"))
        except ValidationError as error:
            _collect(errors, error)
    try:
        note = clean_note(values.get("note"))
    except ValidationError as error:
        _collect(errors, error)
    if errors or warehouse is None:
        raise ValidationError(errors)
    return warehouse, bool(values.get("shortage")), supplier, note


def _new_order(
    actor: Membership,
    *,
    client: Client,
    deal: Deal | None,
    owner_id: int,
    warehouse: Warehouse,
    currency: str,
    note: str,
    built: list[OrderLine],
    shortage: bool,
    supplier: Client | None,
) -> Order:
    order = Order.objects.create(
        workspace_id=actor.workspace_id,
        number=next_order_number(actor.workspace_id),
        client=client,
        deal=deal,
        owner_id=owner_id,
        warehouse=warehouse,
        currency=currency,
        total=sum((line.total for line in built), Decimal("0.00")),
        note=note,
        created_by=actor.user,
    )
    for line in built:
        line.order = order
        line.workspace_id = actor.workspace_id
    OrderLine.objects.bulk_create(built)
    lines = list(OrderLine.objects.filter(order=order).select_related("product").order_by("position", "id"))
    _reserve(actor, order, lines, shortage=shortage, supplier=supplier)
    record_event(
        kind="order.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=order,
        data={
            "number": order.number,
            "deal": deal.pk if deal else None,
            "total": str(order.total),
            "lines": len(lines),
            "shortage": shortage,
        },
    )
    return order


@transaction.atomic
def order_create(actor: Membership, *, values: dict[str, Any]) -> Order:
    """A new order without a deal (`catalog.create`): `client`, `warehouse`, `currency`
    (default the workspace's), `lines` (each: product, quantity, price — empty: the
    client's price list price —, discount % — empty: the client's default discount, such
    as their loyalty tier's —, VAT rate %), `note`, `shortage`, `supplier`.
    Its lines are reserved at once (see `_reserve`). Every bad value is reported, named
    ("lines.2.quantity"), and nothing is written."""
    require(actor, "catalog", "create")
    errors: dict[str, list[ValidationError]] = {}
    client: Client | None = None
    pk = as_id(values.get("client"))
    client = scope_queryset(actor, Client.objects.all()).filter(pk=pk).first() if pk else None
    if client is None:
        errors["client"] = [ValidationError(_("Choose a client of the client base."), code="required")]
    currency = ""
    try:
        currency = clean_currency(values.get("currency"), default=actor.workspace.default_currency)
    except ValidationError as error:
        _collect(errors, error)
    options = None
    try:
        options = _options(actor, values)
    except ValidationError as error:
        _collect(errors, error)
    built: list[OrderLine] = []
    try:
        built = _lines(actor, values.get("lines"), client=client, currency=currency)
    except ValidationError as error:
        _collect(errors, error)
    if errors or client is None or options is None:
        raise ValidationError(errors)
    warehouse, shortage, supplier, note = options
    return _new_order(
        actor,
        client=client,
        deal=None,
        owner_id=actor.user_id,
        warehouse=warehouse,
        currency=currency,
        note=note,
        built=built,
        shortage=shortage,
        supplier=supplier,
    )


def _lines(actor: Membership, raw_lines: Any, *, client: Client | None, currency: str) -> list[OrderLine]:
    if not isinstance(raw_lines, list) or not raw_lines:
        raise invalid("lines", _("Add at least one line."), code="required")
    if len(raw_lines) > MAX_LINES:
        raise invalid("lines", _("Send at most %(count)d lines.") % {"count": MAX_LINES})
    if any(not isinstance(line, dict) for line in raw_lines):
        raise invalid("lines", _("Each line is an object with a product, a quantity and a price."))
    ids = {pk for pk in (as_id(line.get("product")) for line in raw_lines) if pk}
    products = {p.pk: p for p in scope_queryset(actor, Product.objects.all()).filter(pk__in=ids)}
    needs_price = [
        products[pk]
        for pk in (as_id(line.get("product")) for line in raw_lines if line.get("price") in (None, ""))
        if pk in products
    ]
    quotes = (
        prices_for_client(actor, client=client, products=needs_price, currency=currency)
        if needs_price and currency
        else {}
    )
    given = default_discount(client, currency) if client is not None and currency else None
    errors: dict[str, list[ValidationError]] = {}
    built: list[OrderLine] = []
    for index, raw in enumerate(raw_lines):
        product = products.get(as_id(raw.get("product")) or 0)
        if product is None:
            errors.setdefault(_field(index, "product"), []).append(
                ValidationError(_("Choose a product of the catalog."))
            )
        elif not product.is_active:
            errors.setdefault(_field(index, "product"), []).append(ValidationError(_("This product is out of use.")))
            product = None
        quantity = price = discount = None
        vat_rate: Decimal | None = None
        try:
            quantity = clean_quantity(raw.get("quantity"), _field(index, "quantity"))
        except ValidationError as error:
            _collect(errors, error)
        try:
            price = clean_money(raw.get("price"), _field(index, "price"))
            if price is None and product is not None:
                quote = quotes.get(product.pk)
                if quote is None:
                    raise invalid(
                        _field(index, "price"),
                        _("No price list gives a price in %(currency)s for this client: enter the price.")
                        % {"currency": currency},
                        code="required",
                    )
                price = Decimal(quote.price)
        except ValidationError as error:
            _collect(errors, error)
        try:
            discount = _discount(raw.get("discount"), index, given.percent if given else Decimal(0))
            vat_rate = _vat(raw.get("vat_rate"), index, product)
        except ValidationError as error:
            _collect(errors, error)
        if product is None or quantity is None or price is None or discount is None:
            continue
        built.append(
            OrderLine(
                product=product,
                name=product.name,
                quantity=quantity,
                price=price,
                discount=discount,
                vat_rate=vat_rate,
                total=_line_total(quantity, price, discount),
                position=index,
            )
        )
    if errors:
        raise ValidationError(errors)
    return built


def _discount(value: Any, index: int, default: Decimal) -> Decimal:
    number = parse_decimal(value, _field(index, "discount"))
    if number is None:
        return default
    if not Decimal(0) <= number <= Decimal(100):
        raise invalid(_field(index, "discount"), _("Enter a discount from 0 to 100%."))
    return number.quantize(CENT)


def _vat(value: Any, index: int, product: Product | None) -> Decimal | None:
    if value in (None, "") and product is not None:
        return product.vat_rate
    if value in (None, "", "none"):
        return None
    rate = parse_decimal(value, _field(index, "vat_rate"))
    if rate not in VAT_RATES:
        raise invalid(
            _field(index, "vat_rate"),
            _("Choose a VAT rate: %(rates)s%%.") % {"rates": ", ".join(str(r) for r in VAT_RATES)},
        )
    return rate


@transaction.atomic
def order_create_from_deal(actor: Membership, deal_id: int, *, values: dict[str, Any]) -> Order:
    """An order from a won deal: its client, currency, owner and lines (every line must be
    of a catalog product), reserved in `warehouse` (with `shortage`, `supplier` as in
    `order_create`). Needs the right to change the deal (`sales.change`, in scope) and
    `catalog.view`. A deal has at most one order that is not cancelled; the deal's row is
    locked so two concurrent requests cannot both make one."""
    deal = get_visible(actor, Deal, deal_id, for_write=True)
    require(actor, "catalog", "view")
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != DealStatus.WON:
        raise invalid("deal", _("Only a won deal becomes an order."))
    if deal.client_id is None:
        raise invalid("deal", _("Choose the deal's client first: an order is for a client."))
    if Order.objects.filter(deal=deal).exclude(status=OrderStatus.CANCELLED).exists():
        raise invalid("deal", _("This deal has an order already."), code="unique")
    deal_lines = list(deal.lines.select_related("product").order_by("position", "id"))
    if not deal_lines:
        raise invalid("deal", _("The deal has no lines to order."))
    errors: dict[str, list[ValidationError]] = {}
    for index, deal_line in enumerate(deal_lines):
        if deal_line.product is None:
            errors.setdefault(_field(index, "product"), []).append(
                ValidationError(
                    _("“%(name)s” is not a product of the catalog: link the deal line to a product first.")
                    % {"name": deal_line.name}
                )
            )
    options = None
    try:
        options = _options(actor, values)
    except ValidationError as error:
        _collect(errors, error)
    if errors or options is None:
        raise ValidationError(errors)
    warehouse, shortage, supplier, note = options
    built = [
        OrderLine(
            product=deal_line.product,
            name=deal_line.name,
            quantity=deal_line.quantity,
            price=deal_line.price,
            discount=deal_line.discount,
            vat_rate=deal_line.vat_rate,
            total=deal_line.total,
            position=index,
        )
        for index, deal_line in enumerate(deal_lines)
    ]
    client = Client.objects.get(pk=deal.client_id)
    return _new_order(
        actor,
        client=client,
        deal=deal,
        owner_id=deal.owner_id,
        warehouse=warehouse,
        currency=deal.currency,
        note=note,
        built=built,
        shortage=shortage,
        supplier=supplier,
    )


# --- Changes of an order ------------------------------------------------------------------


def _order_for_change(actor: Membership, order_id: int) -> Order:
    """The order, locked, if the actor may change it: `catalog.change`, or the right to
    change the order's deal (the manager who made the order)."""
    order = get_visible(actor, Order, order_id)
    if not actor.can("catalog", "change"):
        if order.deal_id is None:
            raise PermissionDenied("catalog.change")
        try:
            get_visible(actor, Deal, order.deal_id, for_write=True)
        except Http404 as exc:
            raise PermissionDenied("catalog.change") from exc
    return Order.objects.select_related("warehouse").select_for_update(of=("self",)).get(pk=order.pk)


def _order_for_stock(actor: Membership, order_id: int) -> Order:
    """The order, locked, for payments and shipments (`catalog.change`)."""
    order = get_visible(actor, Order, order_id, for_write=True)
    return Order.objects.select_related("warehouse").select_for_update(of=("self",)).get(pk=order.pk)


def _refresh_status(order: Order, version: int | None = None) -> None:
    lines = OrderLine.objects.filter(order=order, product__kind=ProductKind.PRODUCT)
    fully_shipped = not lines.filter(shipped__lt=F("quantity")).exists()
    order.status = order.derived_status(fully_shipped=fully_shipped)
    if order.paid_on is None and order.paid_amount >= order.total:
        # Paid in full now: the purchase date is the latest payment's date (payments may be back-dated).
        order.paid_on = Payment.objects.filter(order=order).aggregate(day=Max("date"))["day"]
    save_versioned(
        order,
        expected_version=order.version if version is None else version,
        fields=["status", "paid_amount", "paid_on"],
    )


@transaction.atomic
def order_cancel(actor: Membership, order_id: int, *, version: int) -> Order:
    """Cancel the order and release its reservation. Refused when anything of it has been
    shipped (the goods have left) and for a stale `version` (409)."""
    order = _order_for_change(actor, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise invalid("status", _("This order is cancelled already."))
    lines = list(OrderLine.objects.filter(order=order).select_related("product"))
    if order.status in (OrderStatus.SHIPPED, OrderStatus.CLOSED) or any(line.shipped > 0 for line in lines):
        raise invalid("status", _("Goods of this order have been shipped: it cannot be cancelled."))
    before = order.status
    order.status = OrderStatus.CANCELLED
    save_versioned(order, expected_version=version, fields=["status"])
    _release(actor, order, lines)
    order_cancelled(actor, order)
    record_event(
        kind="order.cancelled",
        workspace=actor.workspace,
        actor=actor.user,
        target=order,
        changes={"status": [before, order.status]},
    )
    return order


@transaction.atomic
def payment_create(actor: Membership, order_id: int, *, values: dict[str, Any]) -> Payment:
    """Record a payment of the order (`catalog.change`): `amount` above zero and at most
    what is still owed, `date` (default today), `note`. The order becomes paid (or
    closed, when shipped) once the total is paid. The callbacks of
    `relata.orders.hooks.register_order_paid` run last, in this transaction."""
    order = _order_for_stock(actor, order_id)
    errors: dict[str, list[ValidationError]] = {}
    amount = date = None
    note = ""
    try:
        amount = clean_money(values.get("amount"), "amount", required=True)
        if amount is not None and amount <= 0:
            raise invalid("amount", _("Enter an amount above zero."))
        if amount is not None and amount > order.due:
            raise invalid(
                "amount",
                _("Only %(due)s %(currency)s is owed on this order.") % {"due": order.due, "currency": order.currency},
            )
    except ValidationError as error:
        _collect(errors, error)
    try:
        date = date_or_today(values.get("date"))
    except ValidationError as error:
        _collect(errors, error)
    try:
        note = clean_note(values.get("note"))
    except ValidationError as error:
        _collect(errors, error)
    if order.status == OrderStatus.CANCELLED:
        errors.setdefault("status", []).append(ValidationError(_("This order is cancelled.")))
    if errors or amount is None or date is None:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        workspace_id=order.workspace_id, order=order, amount=amount, date=date, note=note, author=actor.user
    )
    before = order.status
    order.paid_amount += amount
    _refresh_status(order)
    record_event(
        kind="order.paid",
        workspace=actor.workspace,
        actor=actor.user,
        target=order,
        changes={
            "paid_amount": [str(order.paid_amount - amount), str(order.paid_amount)],
            "status": [before, order.status],
        },
    )
    order_paid(actor, order, payment)
    return payment


@transaction.atomic
def shipment_create(actor: Membership, order_id: int, *, values: dict[str, Any]) -> Shipment:
    """Ship reserved goods of the order (`catalog.change`): `lines` (each: `line` — an
    order line id — and `quantity`, above zero and at most what the line has reserved),
    `date`, `note`. The goods are written off (on hand and reserved both drop); with
    `documents`, the waybill (and the act of services) are issued in the same
    transaction. Locks: the order, then the levels in (product, warehouse) order."""
    order = _order_for_stock(actor, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise invalid("status", _("This order is cancelled."))
    raw_lines = values.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines or any(not isinstance(raw, dict) for raw in raw_lines):
        raise invalid("lines", _("Choose the lines to ship and their quantities."), code="required")
    if len(raw_lines) > MAX_LINES:
        raise invalid("lines", _("Send at most %(count)d lines.") % {"count": MAX_LINES})
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order=order).select_related("product")}
    errors: dict[str, list[ValidationError]] = {}
    wanted: list[tuple[OrderLine, Decimal]] = []
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for index, raw in enumerate(raw_lines):
        line = order_lines.get(as_id(raw.get("line")) or 0)
        if line is None:
            errors.setdefault(_field(index, "line"), []).append(ValidationError(_("Choose a line of this order.")))
            continue
        try:
            quantity = clean_quantity(raw.get("quantity"), _field(index, "quantity"))
        except ValidationError as error:
            _collect(errors, error)
            continue
        planned[line.pk] += quantity
        if planned[line.pk] > line.reserved:
            errors.setdefault(_field(index, "quantity"), []).append(
                ValidationError(
                    _("Only %(reserved)s of “%(product)s” is reserved for this order: ship at most that.")
                    % {"reserved": quantity_text(line.reserved), "product": line.name}
                )
            )
            continue
        wanted.append((line, quantity))
    date = note = None
    try:
        date = date_or_today(values.get("date"))
        note = clean_note(values.get("note"))
    except ValidationError as error:
        _collect(errors, error)
    if errors or date is None or note is None:
        raise ValidationError(errors)
    shipment = Shipment.objects.create(
        workspace_id=order.workspace_id, order=order, date=date, note=note, author=actor.user
    )
    levels = lock_levels(order.workspace_id, [(line.product_id, order.warehouse_id) for line, _q in wanted])
    for line, quantity in sorted(wanted, key=lambda pair: (pair[0].product_id, pair[0].pk)):
        move(
            actor,
            levels[(line.product_id, order.warehouse_id)],
            MovementKind.SHIPMENT,
            -quantity,
            order=order,
            line=line,
        )
        ShipmentLine.objects.create(
            workspace_id=order.workspace_id, shipment=shipment, order_line=line, quantity=quantity
        )
        line.reserved -= quantity
        line.shipped += quantity
        line.save(update_fields=["reserved", "shipped", "updated_at"])
    before = order.status
    _refresh_status(order)
    record_event(
        kind="order.shipped",
        workspace=actor.workspace,
        actor=actor.user,
        target=order,
        changes={"status": [before, order.status]},
        data={"shipment": shipment.pk, "lines": [[line.pk, str(q)] for line, q in wanted]},
    )
    if values.get("documents"):
        from relata.orders.services.shipment_documents import shipment_documents_issue  # (imports this module)

        shipment_documents_issue(actor, shipment.pk)
    return shipment
