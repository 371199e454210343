"""Two years of orders of the demo workspace ("ООО «Кирпичный двор»"), for the storekeeper's
screens, the clients' purchase histories and, later, ABC/XYZ/RFM and basket analysis:

- **Seasonality**: building materials sell from spring to autumn; winter months have a
  third of July's orders.
- **Repeat and one-off buyers**: about a third of the companies buy again and again (each
  at its own rhythm, every 3 to 10 weeks), a quarter a few times, the rest never; most
  private buyers buy once, some two or three times.
- **Baskets that co-occur**: each order is one of a few building jobs (silicate masonry
  with mortar and mesh, facing brick with mortar and pallets, aerated blocks with their
  glue, concrete work with cement and sand-concrete, a wagon of brick with its unloading,
  bulk cement with loading); regulars mostly repeat their own job.
- **Stock**: two warehouses, monthly receipts from two suppliers that cover what sells,
  every order reserved and shipped through the ledger, so on hand = receipts − shipments.
  Orders of the last fortnight are still open (reserved, some paid, some partly shipped);
  older ones are closed. And the source documents' brick sale, live: a client's three
  wagons of silicate brick with two in stock — the third requested from the supplier.

Written in bulk (orders, lines, payments, shipments and movements with their historic
times), then the levels from the ledger. The step runs after the catalog (30) and
registers itself when this module is imported (from relata/orders/registrations.py).
Idempotent: a workspace that already has orders is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from relata.catalog.demo import PRODUCTS
from relata.catalog.models import Product, ProductKind
from relata.clients.models import Client, ClientKind, Employment
from relata.clients.services.clients import client_create
from relata.core.demo import demo_administrator, register_demo_step
from relata.core.models import Event, Membership, Workspace
from relata.core.money import CENT
from relata.orders.models import (
    MovementKind,
    Order,
    OrderCounter,
    OrderLine,
    OrderStatus,
    Payment,
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from relata.orders.services.orders import order_create
from relata.orders.services.stock import stock_adjust, supplier_add, warehouse_create

ORDER = 35  # after the catalog (30): orders need its products
SEED = 6
DAYS = 730
OPEN_DAYS = 14  # orders younger than this are still being paid and shipped
BATCH = 500
VAT = Decimal(22)
# January … December: orders per month relative to the summer's.
SEASON = (0.35, 0.4, 0.65, 1.0, 1.35, 1.5, 1.5, 1.45, 1.25, 0.9, 0.55, 0.35)

# Building jobs: (SKU, quantity range) — the first line always, the others usually.
Basket = tuple[tuple[str, int, int], ...]
B2B_JOBS: dict[str, Basket] = {
    "silicate": (("KS-150-1NF", 5, 40), ("MIX-M150-40", 40, 300), ("NET-50-4", 20, 150), ("SRV-LONG", 1, 3)),
    "facing": (("KK-175-1NF-F", 3, 20), ("MIX-M150-40", 30, 200), ("PAL-RET", 5, 30)),
    "aerated": (("GB-D500-200", 10, 80), ("GLUE-GB-25", 20, 120), ("GB-D500-100", 2, 15)),
    "concrete": (("CEM-500-D0-50", 50, 400), ("MIX-PB300-40", 40, 250), ("SRV-CRANE", 2, 6)),
    "wagon": (("KS-150-1NF-W", 1, 2), ("SRV-WAGON", 1, 2)),
    "bulk": (("CEM-500-BULK", 10, 60), ("SRV-LOAD", 10, 60)),
}
B2C_JOBS: dict[str, Basket] = {
    "fence": (("KK-175-1NF-F", 1, 3), ("MIX-M150-40", 10, 40), ("SRV-CRANE", 1, 2)),
    "bath": (("GB-D500-200", 3, 12), ("GLUE-GB-25", 5, 20), ("SRV-CRANE", 1, 2)),
    "foundation": (("CEM-500-D0-50", 10, 60), ("MIX-PB300-40", 10, 40)),
    "house": (("KS-150-1NF", 2, 8), ("MIX-M150-40", 20, 80), ("NET-50-4", 10, 40), ("SRV-LONG", 1, 1)),
}
SUPPLIERS = ("ООО «Силикатный завод Подмосковья»", "АО «ЦементТорг»")
MAIN, YARD = "Склад Подольск", "Площадка Люберцы"
WAREHOUSES = (
    (MAIN, "Московская обл., Подольск, ул. Складская, 4"),
    (YARD, "Московская обл., Люберцы, Новорязанское ш., 12"),
)


@dataclass
class DrawnOrder:
    client: Client
    at: dt.datetime
    warehouse: str
    lines: list[tuple[Product, Decimal, Decimal]]  # product, quantity, unit price
    status: str = OrderStatus.CLOSED
    paid_share: Decimal = Decimal(1)
    shipped_share: Decimal = Decimal(1)
    order: Order = field(init=False, repr=False)  # set when written


def _admin(workspace: Workspace) -> Membership:
    admin = demo_administrator(workspace)
    if admin is None:
        raise RuntimeError("the demo workspace has no administrator")
    return admin


def _day_weight(day: dt.date) -> float:
    return SEASON[day.month - 1]


def _draw_times(rng: random.Random, start: dt.datetime, now: dt.datetime, count: int) -> list[dt.datetime]:
    """`count` working-day moments between start and now, denser in the building season."""
    times: list[dt.datetime] = []
    span = int((now - start).total_seconds() // 86400)
    for _attempt in range(count * 100 if span > 1 else 0):  # bounded: a short span may have no fitting day
        if len(times) == count:
            break
        day = start.date() + dt.timedelta(days=rng.randrange(span))
        at = dt.datetime.combine(day, dt.time(rng.randrange(9, 18), rng.randrange(60)), tzinfo=dt.UTC)
        if not start <= at < now or at.weekday() == 6 or rng.random() > _day_weight(at.date()) / max(SEASON):
            continue
        times.append(at)
    return sorted(times)


def _rhythm(rng: random.Random, start: dt.datetime, now: dt.datetime) -> list[dt.datetime]:
    """A regular's purchases: every 3 to 10 weeks (its own pace), skipping some winters."""
    pace = rng.randrange(21, 71)
    times: list[dt.datetime] = []
    at = start + dt.timedelta(days=rng.randrange(pace))
    while at < now:
        if rng.random() < _day_weight(at.date()) / max(SEASON) + 0.15:
            times.append(at.replace(hour=rng.randrange(9, 18), minute=rng.randrange(60)))
        at += dt.timedelta(days=max(7, int(rng.gauss(pace, pace / 5))))
    return times


def _lines(
    rng: random.Random, basket: Basket, products: dict[str, Product], prices: dict[str, Decimal], scale: float
) -> list[tuple[Product, Decimal, Decimal]]:
    lines = []
    for index, (sku, low, high) in enumerate(basket):
        if index and rng.random() < 0.3:
            continue
        quantity = max(low, min(high, round(rng.uniform(low, high) * scale)))
        lines.append((products[sku], Decimal(quantity), prices[sku]))
    return lines


def _draw(rng: random.Random, workspace: Workspace, products: dict[str, Product], now: dt.datetime) -> list[DrawnOrder]:
    prices = {sku: price for sku, price in _base_prices().items() if sku in products}
    ws = workspace.pk
    employed = set(Employment.objects.filter(workspace_id=ws).values_list("person_id", flat=True))
    clients = list(Client.objects.filter(workspace_id=ws, owner__isnull=False).order_by("pk"))
    companies = [c for c in clients if not c.is_person]
    buyers = [c for c in clients if c.is_person and c.pk not in employed]
    drawn: list[DrawnOrder] = []
    start = now - dt.timedelta(days=DAYS)
    for company in companies:
        since = max(start, company.created_at)
        luck = rng.random()
        if luck < 0.35:  # a regular with its own job and size
            times = _rhythm(rng, since, now)
            job, scale = rng.choice(list(B2B_JOBS)), rng.uniform(0.4, 1.2)
        elif luck < 0.6:
            times = _draw_times(rng, since, now, rng.randrange(2, 5))
            job, scale = rng.choice(list(B2B_JOBS)), rng.uniform(0.2, 0.8)
        else:
            continue
        for at in times:
            chosen = job if rng.random() < 0.8 else rng.choice(list(B2B_JOBS))
            warehouse = MAIN if chosen in ("silicate", "wagon", "facing") or rng.random() < 0.6 else YARD
            drawn.append(DrawnOrder(company, at, warehouse, _lines(rng, B2B_JOBS[chosen], products, prices, scale)))
    for buyer in buyers:
        luck = rng.random()
        count = 1 if luck < 0.65 else rng.randrange(2, 4) if luck < 0.85 else 0
        since = max(start, buyer.created_at)
        for at in _draw_times(rng, since, now, count):
            job = rng.choice(list(B2C_JOBS))
            drawn.append(DrawnOrder(buyer, at, YARD, _lines(rng, B2C_JOBS[job], products, prices, 1.0)))
    for order in drawn:
        if order.at > now - dt.timedelta(days=OPEN_DAYS):
            order.status = rng.choice([OrderStatus.RESERVED, OrderStatus.RESERVED, OrderStatus.PAID, "partly"])
            order.paid_share = Decimal(0) if order.status == OrderStatus.RESERVED else Decimal(1)
            order.shipped_share = Decimal("0.5") if order.status == "partly" else Decimal(0)
            if order.status == "partly":
                order.status = OrderStatus.PAID
    return sorted(drawn, key=lambda o: o.at)


def _base_prices() -> dict[str, Decimal]:
    return {sku: Decimal(price) for rows in PRODUCTS.values() for sku, _n, _u, price, _w in rows}


def _write(workspace: Workspace, admin: Membership, drawn: list[DrawnOrder], stores: dict[str, Warehouse]) -> None:
    """The orders, lines, payments, shipments and the ledger, with their historic times."""
    ws = workspace.pk
    user_of = dict(Membership.objects.filter(workspace_id=ws).values_list("user_id", "user_id"))
    orders: list[Order] = []
    for number, item in enumerate(drawn, start=1):
        total = sum((q * p).quantize(CENT, rounding=ROUND_HALF_UP) for _pr, q, p in item.lines)
        owner = item.client.owner_id if item.client.owner_id in user_of else admin.user_id
        paid = (total * item.paid_share).quantize(CENT)
        item.order = Order(
            workspace_id=ws,
            owner_id=owner,
            created_by_id=owner,
            number=number,
            client=item.client,
            warehouse=stores[item.warehouse],
            currency="RUB",
            status=item.status,
            total=total,
            paid_amount=paid,
            paid_on=_payment_day(item) if paid > 0 and paid >= total else None,
        )
        orders.append(item.order)
    Order.objects.bulk_create(orders, batch_size=BATCH)
    OrderCounter.objects.update_or_create(workspace_id=ws, defaults={"last_number": len(orders)})
    lines: list[OrderLine] = []
    for item in drawn:
        for position, (product, quantity, price) in enumerate(item.lines):
            stocked = product.kind == ProductKind.PRODUCT  # services are neither reserved nor shipped
            shipped = (quantity * item.shipped_share).quantize(Decimal(1)) if stocked else Decimal(0)
            lines.append(
                OrderLine(
                    workspace_id=ws,
                    order=item.order,
                    product=product,
                    name=product.name,
                    quantity=quantity,
                    price=price,
                    vat_rate=VAT,
                    total=(quantity * price).quantize(CENT, rounding=ROUND_HALF_UP),
                    reserved=quantity - shipped if stocked else Decimal(0),
                    shipped=shipped,
                    position=position,
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=BATCH)
    _write_money_and_goods(workspace, drawn, lines)


def _payment_day(item: DrawnOrder) -> dt.date:
    """The day of an order's one payment: two days after it was placed."""
    return (item.at + dt.timedelta(days=2)).date()


def _write_money_and_goods(workspace: Workspace, drawn: list[DrawnOrder], lines: list[OrderLine]) -> None:
    ws = workspace.pk
    at_of = {item.order.pk: item.at for item in drawn}
    payments = [
        Payment(
            workspace_id=ws,
            order=item.order,
            amount=item.order.paid_amount,
            date=_payment_day(item),
            author_id=item.order.owner_id,
        )
        for item in drawn
        if item.order.paid_amount > 0
    ]
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    by_order: dict[int, list[OrderLine]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    shipments: list[Shipment] = []
    shipped_lines: list[tuple[Shipment, OrderLine]] = []
    movements: list[StockMovement] = []
    for item in drawn:
        for line in by_order[item.order.pk]:
            if line.product.kind != ProductKind.PRODUCT:
                continue
            movements.append(_movement(ws, line, item, MovementKind.RESERVATION, line.quantity))
        goods = [line for line in by_order[item.order.pk] if line.shipped > 0]
        if goods:
            shipment = Shipment(
                workspace_id=ws,
                order=item.order,
                date=(item.at + dt.timedelta(days=3)).date(),
                author_id=item.order.owner_id,
            )
            shipments.append(shipment)
            shipped_lines.extend((shipment, line) for line in goods)
            movements.extend(_movement(ws, line, item, MovementKind.SHIPMENT, -line.shipped) for line in goods)
    Shipment.objects.bulk_create(shipments, batch_size=BATCH)
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(workspace_id=ws, shipment=s, order_line=line, quantity=line.shipped)
            for s, line in shipped_lines
        ],
        batch_size=BATCH,
    )
    movements.extend(_receipts(ws, drawn, by_order))
    StockMovement.objects.bulk_create(movements, batch_size=BATCH)
    _backdate(ws, at_of, payments, shipments, movements)


def _movement(ws: int, line: OrderLine, item: DrawnOrder, kind: str, quantity: Decimal) -> StockMovement:
    movement = StockMovement(
        workspace_id=ws,
        kind=kind,
        product_id=line.product_id,
        warehouse_id=item.order.warehouse_id,
        quantity=quantity,
        order=item.order,
        order_line=line,
        author_id=item.order.owner_id,
    )
    movement.demo_at = item.at + dt.timedelta(days=3 if kind == MovementKind.SHIPMENT else 0)  # type: ignore[attr-defined]
    return movement


def _receipts(ws: int, drawn: list[DrawnOrder], by_order: dict[int, list[OrderLine]]) -> list[StockMovement]:
    """Monthly receipts per product and warehouse covering that month's orders and a
    buffer, on the first working day of the month."""
    need: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)
    author: dict[tuple[int, int, dt.date], int] = {}
    for item in drawn:
        month = item.at.date().replace(day=1)
        for line in by_order[item.order.pk]:
            if line.product.kind == ProductKind.PRODUCT:
                key = (line.product_id, item.order.warehouse_id, month)
                need[key] += line.quantity
                author[key] = item.order.owner_id
    receipts = []
    for (product_id, warehouse_id, month), quantity in sorted(need.items()):
        receipt = StockMovement(
            workspace_id=ws,
            kind=MovementKind.RECEIPT,
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=(quantity * Decimal("1.2")).quantize(Decimal(1), rounding=ROUND_HALF_UP) + 1,
            author_id=author[(product_id, warehouse_id, month)],
            note="Поставка по графику",
        )
        moment = dt.datetime.combine(month, dt.time(8), tzinfo=dt.UTC)
        receipt.demo_at = moment  # type: ignore[attr-defined]
        receipts.append(receipt)
    return receipts


def _backdate(
    ws: int,
    at_of: dict[int, dt.datetime],
    payments: list[Payment],
    shipments: list[Shipment],
    movements: list[StockMovement],
) -> None:
    Order.objects.bulk_update(
        [Order(pk=pk, created_at=at, updated_at=at) for pk, at in at_of.items()],
        ["created_at", "updated_at"],
        batch_size=BATCH,
    )
    for payment in payments:
        payment.created_at = payment.updated_at = dt.datetime.combine(payment.date, dt.time(12), tzinfo=dt.UTC)
    Payment.objects.bulk_update(payments, ["created_at", "updated_at"], batch_size=BATCH)
    for shipment in shipments:
        shipment.created_at = shipment.updated_at = dt.datetime.combine(shipment.date, dt.time(10), tzinfo=dt.UTC)
    Shipment.objects.bulk_update(shipments, ["created_at", "updated_at"], batch_size=BATCH)
    order_time = Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("created_at")[:1])
    OrderLine.objects.filter(workspace_id=ws).update(created_at=order_time, updated_at=order_time)
    for movement in movements:
        movement.created_at = movement.updated_at = movement.demo_at  # type: ignore[attr-defined]
    StockMovement.objects.bulk_update(movements, ["created_at", "updated_at"], batch_size=BATCH)


def _levels(ws: int) -> None:
    """The levels the ledger adds up to (what `move` would have kept)."""
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = StockMovement.objects.filter(workspace_id=ws).values("product_id", "warehouse_id", "kind")
    for row in rows.annotate(total=Sum("quantity")):
        key, kind, total = (row["product_id"], row["warehouse_id"]), row["kind"], row["total"]
        if kind in (MovementKind.RECEIPT, MovementKind.ADJUSTMENT, MovementKind.SHIPMENT):
            sums[key][0] += total
        if kind in (MovementKind.RESERVATION, MovementKind.RELEASE, MovementKind.SHIPMENT):
            sums[key][1] += total
    StockLevel.objects.bulk_create(
        [
            StockLevel(workspace_id=ws, product_id=p, warehouse_id=w, on_hand=on_hand, reserved=reserved)
            for (p, w), (on_hand, reserved) in sorted(sums.items())
        ],
        batch_size=BATCH,
    )


def _brick_sale(
    admin: Membership, stores: dict[str, Warehouse], products: dict[str, Product], brick_works: Client
) -> None:
    """The source documents' example, live: three wagons wanted, two on hand; the third is
    requested from the brick works (through the services, as a storekeeper would)."""
    wagon = products["KS-150-1NF-W"]
    level = StockLevel.objects.get(workspace_id=admin.workspace_id, product=wagon, warehouse=stores[MAIN])
    spare = level.on_hand - level.reserved
    if spare != 2:
        stock_adjust(admin, product=wagon.pk, warehouse=stores[MAIN].pk, quantity=str(2 - spare), note="Инвентаризация")
    client = (
        Client.objects.filter(workspace_id=admin.workspace_id, kind=ClientKind.COMPANY, owner__isnull=False)
        .order_by("pk")
        .first()
    )
    if client is None:
        return
    order_create(
        admin,
        values={
            "client": client.pk,
            "warehouse": stores[MAIN].pk,
            "shortage": True,
            "supplier": brick_works.pk,
            "note": "Три вагона силикатного кирпича через две недели; третий вагон — у завода",
            "lines": [{"product": wagon.pk, "quantity": "3", "price": "352000", "vat_rate": "22"}],
        },
    )


def _supplier(admin: Membership, name: str) -> Client:
    """A supplier company, dated as its created event is (as every demo client is)."""
    supplier = client_create(admin, kind=ClientKind.COMPANY, values={"name": name})
    event = Event.objects.filter(workspace_id=admin.workspace_id, kind="client.created", target_id=supplier.pk).first()
    if event is not None:
        Client.objects.filter(pk=supplier.pk).update(created_at=event.occurred_at, updated_at=event.occurred_at)
    return supplier


@transaction.atomic
def orders_demo(workspace: Workspace) -> None:
    """Fill the demo workspace's orders and stock. Idempotent."""
    if Order.objects.filter(workspace_id=workspace.pk).exists():
        return
    admin = _admin(workspace)
    products = {p.sku: p for p in Product.objects.filter(workspace_id=workspace.pk).exclude(sku="")}
    if not products:
        return
    stores = {
        MAIN: warehouse_create(admin, values={"name": MAIN, "address": "Московская обл., Подольск, ул. Складская, 4"}),
        YARD: warehouse_create(
            admin, values={"name": YARD, "address": "Московская обл., Люберцы, Новорязанское ш., 12"}
        ),
    }
    suppliers = [_supplier(admin, name) for name in SUPPLIERS]
    for supplier in suppliers:
        supplier_add(admin, client=supplier.pk)
    rng = random.Random(SEED)  # noqa: S311  (demo data)
    drawn = _draw(rng, workspace, products, timezone.now())
    _write(workspace, admin, drawn, stores)
    _levels(workspace.pk)
    _brick_sale(admin, stores, products, suppliers[0])


register_demo_step(orders_demo, order=ORDER)
