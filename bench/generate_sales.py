"""Filling a client benchmark workspace with three years of sales: the data of the
analytics benchmark (bench/analytics.py).

`sales_bench(n)` takes the workspace of `client_bench(n)` (generated on first use) and,
once, adds to it:

- a catalog of products (a handful made by `product_create`, the rest as bulk rows) and a
  warehouse (`warehouse_create`), with a Zipf-like popularity of products;
- orders with their lines and payments over the last three years, about
  `LINES_PER_CLIENT` lines per client and ~2.5 lines per order. Each client gets a
  Pareto-like "size" (heavy-tailed): it drives both how many orders it places and how
  much each line buys, so a fifth of the clients make most of the revenue. Order dates
  follow a seasonality by month (spring and summer high, January low) and never precede
  the client's creation. ~95 % of the orders are paid in full (one payment, or an
  advance and the rest later; the last payment is the purchase date, `Order.paid_on`), closed once
  shipped; ~2.5 % are reserved and unpaid or part-paid, ~2.5 % cancelled;
- deals, `DEALS_PER_CLIENT` per client on average, in two pipelines of five stages (the
  workspace's default one and a second one made by `pipeline_create` and
  `stage_create`), ~30 % won, ~30 % lost with a loss reason, the rest open, with their
  amounts, expected close dates and their stage history (StageVisit rows).

PostgreSQL: COPY (psycopg 3) with ids drawn from the tables' sequences, in one
transaction; secondary indexes dropped and rebuilt when the rows written are many (as
generate.py does), then VACUUM ANALYZE. SQLite: bulk_create (for small bases).
Deterministic for a given n and seed.

  python -m bench.generate_sales --clients 20000      # BENCH_DATABASE_URL chooses the base
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from bench.common import bulk_session, indexes_rebuilt

if TYPE_CHECKING:
    from bench.generate import BenchTeam

# As bench.generate: rebuilding the indexes beats inserting into them from this many rows.
REBUILD_INDEXES_FROM = 50_000

CLIENTS = 1_000_000
LINES_PER_CLIENT = 10
DEALS_PER_CLIENT = 2
YEARS = 3
BATCH_CLIENTS = 5_000
PRODUCTS = 400
SIZE_NORM = 2.46  # the mean of size^0.75 (sizes below)
# Month weights (January…December): building materials and equipment sell in the warm season.
SEASON = [0.55, 0.7, 0.9, 1.1, 1.25, 1.3, 1.3, 1.25, 1.15, 1.0, 0.85, 0.95]
LINES_PER_ORDER = ([1, 2, 3, 4, 5, 6], [30, 25, 20, 12, 8, 5])  # mean 2.58
SERVICE_PRODUCTS = [
    ("Кирпич облицовочный М150", "piece", "1.00"),
    ("Цемент М500, мешок 50 кг", "piece", "6.00"),
    ("Газобетонный блок D500", "m3", "55.00"),
    ("Доставка манипулятором", "service", "80.00"),
    ("Монтаж кровли, м²", "m2", "12.00"),
    ("Песок строительный", "tonne", "9.00"),
]
WORDS = ["Кирпич", "Блок", "Плита", "Смесь", "Профиль", "Лист", "Труба", "Утеплитель", "Кабель", "Краска"]
WORDS2 = ["стандарт", "премиум", "эконом", "М100", "М200", "усиленный", "лёгкий", "влагостойкий", "морозостойкий"]


@dataclass
class Catalog:
    products: list[tuple[int, str, Decimal, Decimal | None]]  # id, name, price, vat rate
    cum_weights: list[float]
    warehouse_id: int


@dataclass
class Rows:
    """One batch's rows per table (column order as in TABLES)."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    deals: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[Any, ...]] = field(default_factory=list)


def _models() -> dict[str, tuple[type[models.Model], list[str]]]:
    from relata.orders.models import Order, OrderLine, Payment
    from relata.sales.models import Deal, StageVisit

    stamps = ["workspace_id", "created_at", "updated_at"]
    return {
        "orders": (
            Order,
            ["id", *stamps, "owner_id", "version", "number", "client_id", "deal_id", "warehouse_id", "currency"]
            + ["status", "total", "paid_amount", "paid_on", "note", "created_by_id"],
        ),
        "lines": (
            OrderLine,
            [*stamps, "order_id", "product_id", "name", "quantity", "price", "discount", "vat_rate", "total"]
            + ["reserved", "shipped", "position"],
        ),
        "payments": (Payment, [*stamps, "order_id", "amount", "date", "note", "author_id"]),
        "deals": (
            Deal,
            ["id", *stamps, "owner_id", "version", "title", "pipeline_id", "stage_id", "status", "client_id"]
            + ["amount", "currency", "probability", "expected_close_date", "competitors", "description"]
            + ["stage_entered_at", "closed_at", "loss_reason_id", "loss_note", "created_by_id"],
        ),
        "visits": (
            StageVisit,
            [*stamps, "deal_id", "stage_id", "entered_at", "entered_by_id", "left_at", "left_by_id"],
        ),
    }


# --- Set-up through the services ----------------------------------------------------------


def _catalog(team: BenchTeam, rng: random.Random) -> Catalog:
    """A warehouse and PRODUCTS products: the first few through the services, the rest
    as bulk rows; popularity ∝ 1 / rank (Zipf)."""
    from relata.catalog.models import Product
    from relata.catalog.services.products import product_create
    from relata.orders.models import Warehouse
    from relata.orders.services.stock import warehouse_create

    admin = team.admin
    warehouse = Warehouse.objects.filter(workspace=team.workspace).order_by("pk").first()
    if warehouse is None:
        warehouse = warehouse_create(admin, values={"name": "Основной склад", "address": "Москва"})
    if not Product.objects.filter(workspace=team.workspace).exists():
        for n, (name, unit, _price) in enumerate(SERVICE_PRODUCTS):
            kind = "service" if unit == "service" else "product"
            product_create(admin, values={"name": name, "sku": f"S-{n:04d}", "unit": unit, "kind": kind})
        names = sorted({f"{w} {w2} {n}" for n, (w, w2) in enumerate(itertools.product(WORDS, WORDS2))})
        Product.objects.bulk_create(
            [
                Product(workspace=team.workspace, name=name, sku=f"P-{n:05d}", unit="piece", vat_rate=Decimal(22))
                for n, name in enumerate(names[: PRODUCTS - len(SERVICE_PRODUCTS)])
            ]
        )
    rows = list(Product.objects.filter(workspace=team.workspace).order_by("pk").values_list("pk", "name", "vat_rate"))
    products = []
    for pk, name, vat in rows:
        price = Decimal(rng.choice([1, 2, 5, 8, 12, 20, 35, 60, 90, 150, 400])) * Decimal(rng.randrange(80, 120)) / 10
        products.append((pk, name, price.quantize(Decimal("0.01")), vat))
    rng.shuffle(products)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(products))))
    return Catalog(products, weights, warehouse.pk)


def _pipelines(team: BenchTeam) -> list[tuple[int, list[tuple[int, int]]]]:
    """Two pipelines of five stages: (pipeline id, [(stage id, probability)…])."""
    from relata.sales.models import Pipeline, Stage
    from relata.sales.services.settings import pipeline_create, stage_create

    if Pipeline.objects.filter(workspace=team.workspace).count() < 2:
        second = pipeline_create(team.admin, values={"name": "Розница"})
        for name, probability in [("Заявка", 10), ("Подбор", 25), ("Счёт", 50), ("Оплата", 75), ("Доставка", 90)]:
            stage_create(team.admin, second.pk, values={"name": name, "probability": probability})
    found = []
    for pipeline in Pipeline.objects.filter(workspace=team.workspace).order_by("position", "pk")[:2]:
        stages = Stage.objects.filter(pipeline=pipeline).order_by("position", "pk")
        found.append((pipeline.pk, list(stages.values_list("pk", "probability"))[:5]))
    return found


# --- Drawing ---------------------------------------------------------------------------


class SalesMaker:
    def __init__(self, team: BenchTeam, seed: int) -> None:
        from relata.sales.models import LossReason

        self.rng = random.Random(seed)
        self.workspace = team.workspace
        self.currency = team.workspace.default_currency
        self.catalog = _catalog(team, self.rng)
        self.pipelines = _pipelines(team)
        self.reasons = list(LossReason.objects.filter(workspace=team.workspace).values_list("pk", flat=True))
        self.now = timezone.now()
        self.today = timezone.localdate()
        first = self.today - dt.timedelta(days=365 * YEARS)
        self.days = [first + dt.timedelta(days=d) for d in range((self.today - first).days + 1)]
        self.day_cum = list(itertools.accumulate(SEASON[day.month - 1] for day in self.days))
        self.zone = timezone.get_current_timezone()

    def _day(self, since: dt.date, until: dt.date | None = None) -> dt.date:
        """A day in [since, until] (default today), drawn by the seasonality."""
        low = bisect.bisect_left(self.days, max(since, self.days[0]))
        high = bisect.bisect_right(self.days, until or self.today) - 1
        if high <= low:
            return self.days[min(low, len(self.days) - 1)]
        base = self.day_cum[low - 1] if low else 0.0
        point = base + self.rng.random() * (self.day_cum[high] - base)
        return self.days[min(bisect.bisect_left(self.day_cum, point), high)]

    def _moment(self, day: dt.date) -> dt.datetime:
        """A moment of working hours on `day`, never in the future (today's)."""
        seconds = self.rng.randrange(9 * 3600, 19 * 3600)
        moment = dt.datetime.combine(day, dt.time(), tzinfo=self.zone) + dt.timedelta(seconds=seconds)
        return min(moment, self.now - dt.timedelta(seconds=self.rng.randrange(60, 3600)))

    def sizes(self, count: int) -> list[float]:
        """Heavy-tailed client sizes (Pareto α 1.2, capped at 100): with orders ∝ size^0.75
        and baskets ∝ size^0.5, the top fifth of the clients make ~78 % of the revenue."""
        return [min(self.rng.paretovariate(1.2), 100.0) for _n in range(count)]

    def orders(self, clients: list[tuple[int, int, dt.datetime]], ids: Callable[[str, int], list[int]]) -> Rows:
        rng, rows, ws, now = self.rng, Rows(), self.workspace.pk, self.now
        sizes = self.sizes(len(clients))
        per_order = sum(a * w for a, w in zip(*LINES_PER_ORDER, strict=True)) / sum(LINES_PER_ORDER[1])
        counts = []
        for size in sizes:
            expected = LINES_PER_CLIENT / per_order * size**0.75 / SIZE_NORM
            counts.append(int(expected + rng.random()))
        order_ids = iter(ids("orders", sum(counts)))
        products, cum = self.catalog.products, self.catalog.cum_weights
        for (client_id, owner_id, created), size, count in zip(clients, sizes, counts, strict=True):
            basket = size**0.5
            for _n in range(count):
                order_id = next(order_ids)
                day = self._day(created.date())
                created_at = self._moment(day)
                fate = rng.random()
                status = "closed" if fate >= 0.05 else "reserved" if fate >= 0.025 else "cancelled"
                n_lines = rng.choices(*LINES_PER_ORDER)[0]
                total = Decimal(0)
                for position, (pk, name, price, vat) in enumerate(rng.choices(products, cum_weights=cum, k=n_lines)):
                    quantity = Decimal(max(1, int(rng.expovariate(1 / 12) * basket)))
                    amount = (quantity * price).quantize(Decimal("0.01"))
                    total += amount
                    reserved = quantity if status == "reserved" else Decimal(0)
                    shipped = quantity if status == "closed" else Decimal(0)
                    rows.lines.append(
                        (ws, created_at, now, order_id, pk, name, quantity, price, Decimal(0), vat, amount)
                        + (reserved, shipped, position)
                    )
                paid, paid_on = Decimal(0), None
                if status == "closed":
                    last = min(self.today, day + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3, 5, 7, 14])))
                    if rng.random() < 0.2 and total >= 2:  # an advance, then the rest
                        advance = (total * Decimal("0.3")).quantize(Decimal("0.01"))
                        rows.payments.append((ws, created_at, now, order_id, advance, day, "", owner_id))
                        rows.payments.append((ws, created_at, now, order_id, total - advance, last, "", owner_id))
                    else:
                        rows.payments.append((ws, created_at, now, order_id, total, last, "", owner_id))
                    paid, paid_on = total, last
                    if last >= self.today - dt.timedelta(days=10):
                        status = "paid"  # not shipped yet
                        rows.lines[-n_lines:] = [(*r[:11], r[6], Decimal(0), r[13]) for r in rows.lines[-n_lines:]]
                elif status == "reserved" and rng.random() < 0.4 and total >= 2:
                    paid = (total / 2).quantize(Decimal("0.01"))
                    rows.payments.append((ws, created_at, now, order_id, paid, day, "", owner_id))
                rows.orders.append(
                    (order_id, ws, created_at, now, owner_id, 1, order_id, client_id, None, self.catalog.warehouse_id)
                    + (self.currency, status, total, paid, paid_on, "", owner_id)
                )
        return rows

    def deals(
        self, clients: list[tuple[int, int, dt.datetime]], ids: Callable[[str, int], list[int]], rows: Rows
    ) -> None:
        rng, ws, now = self.rng, self.workspace.pk, self.now
        counts = [int(rng.random() * (2 * DEALS_PER_CLIENT + 1)) for _c in clients]  # 0…4, mean 2
        deal_ids = iter(ids("deals", sum(counts)))
        for (client_id, owner_id, created), count in zip(clients, counts, strict=True):
            for _n in range(count):
                deal_id = next(deal_ids)
                pipeline_id, stages = self.pipelines[0 if rng.random() < 0.7 else 1]
                fate = rng.random()
                status = "won" if fate < 0.3 else "lost" if fate < 0.6 else "open"
                since = created.date()
                if status == "open":  # open deals are recent
                    since = max(since, self.today - dt.timedelta(days=180))
                start = self._moment(self._day(since))
                reached = len(stages) - 1 if status == "won" else rng.randrange(len(stages))
                moment, visits = start, []
                for stage_id, _p in stages[: reached + 1]:
                    visits.append([stage_id, moment, None])
                    moment = min(now, moment + dt.timedelta(hours=rng.randrange(2, 24 * 21)))
                closed_at = None
                if status != "open":
                    closed_at = moment
                    for visit, after in zip(visits, visits[1:], strict=False):
                        visit[2] = after[1]
                    visits[-1][2] = closed_at
                else:
                    for visit, after in zip(visits, visits[1:], strict=False):
                        visit[2] = after[1]
                stage_id, probability = stages[reached]
                probability = {"won": 100, "lost": 0}.get(status, probability)
                amount = None
                if rng.random() < 0.9:
                    amount = Decimal(int(min(rng.paretovariate(1.2), 200) * 20_000) // 100 * 100)
                expected = (start + dt.timedelta(days=rng.randrange(30, 120))).date()
                reason = rng.choice(self.reasons) if status == "lost" else None
                rows.deals.append(
                    (deal_id, ws, start, now, owner_id, 1, f"Сделка {deal_id}", pipeline_id, stage_id, status)
                    + (client_id, amount, self.currency, probability, expected, "[]", "", visits[-1][1], closed_at)
                    + (reason, "", owner_id)
                )
                for visit_stage, entered, left in visits:
                    rows.visits.append(
                        (ws, entered, now, deal_id, visit_stage, entered, owner_id, left, owner_id if left else None)
                    )


# --- Writing ---------------------------------------------------------------------------


class PostgresSalesWriter:
    def __init__(self) -> None:
        self.tables = _models()

    def ids(self, key: str, count: int) -> list[int]:
        if not count:
            return []
        table = self.tables[key][0]._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]

    @contextmanager
    def loading(self, rows_expected: int) -> Iterator[None]:
        names = [model._meta.db_table for model, _c in self.tables.values()]
        with connection.cursor() as cursor:
            bulk_session(cursor)
            cursor.execute(
                "SELECT COALESCE(SUM(n_live_tup), 0) FROM pg_stat_user_tables WHERE relname = ANY(%s)", [names]
            )
            existing = cursor.fetchone()[0]
        with indexes_rebuilt(names, rows_expected >= REBUILD_INDEXES_FROM and 3 * rows_expected >= existing):
            yield

    def write(self, rows: Rows) -> None:
        with connection.cursor() as cursor:
            for key, (model, columns) in self.tables.items():
                data = getattr(rows, key)
                if not data:
                    continue
                sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in data:
                        copy.write_row(row)


class BulkSalesWriter:
    """bulk_create (SQLite): ids given explicitly, dates put back after auto_now_add."""

    def __init__(self) -> None:
        self.tables = _models()
        self.next: dict[str, int] = {}

    def ids(self, key: str, count: int) -> list[int]:
        model = self.tables[key][0]
        if key not in self.next:
            self.next[key] = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        first = self.next[key]
        self.next[key] += count
        return list(range(first, first + count))

    @contextmanager
    def loading(self, rows_expected: int) -> Iterator[None]:
        yield

    def write(self, rows: Rows) -> None:
        for key, (model, columns) in self.tables.items():
            objects = [model(**dict(zip(columns, row, strict=True))) for row in getattr(rows, key)]
            created = [
                (obj, row[columns.index("created_at")]) for obj, row in zip(objects, getattr(rows, key), strict=True)
            ]
            if key == "deals":
                for obj in objects:
                    obj.competitors = []
            model.objects.bulk_create(objects, batch_size=500)
            for obj, stamp in created:
                obj.created_at = stamp
            if key in ("orders", "deals"):
                model.objects.bulk_update(objects, ["created_at"], batch_size=500)


def sales_bench(n: int, *, seed: int = 1, log: Callable[[str], None] = print) -> BenchTeam:
    """The workspace of `client_bench(n)` with its sales generated (once; reused after)."""
    from bench.generate import client_bench
    from relata.clients.models import Client
    from relata.orders.models import Order, OrderCounter

    team = client_bench(n, log=log)
    if Order.objects.filter(workspace=team.workspace).exists():
        return team
    log(f"  generating the sales of {n} clients (orders, lines, payments, deals)…")
    start = time.perf_counter()
    maker = SalesMaker(team, seed)
    writer: PostgresSalesWriter | BulkSalesWriter = (
        PostgresSalesWriter() if connection.vendor == "postgresql" else BulkSalesWriter()
    )
    clients = list(
        Client.objects.filter(workspace=team.workspace).order_by("pk").values_list("pk", "owner_id", "created_at")
    )
    totals = dict.fromkeys(_models(), 0)
    expected = n * (LINES_PER_CLIENT * 2 + DEALS_PER_CLIENT * 4)
    with transaction.atomic(), writer.loading(expected):
        done = 0
        for chunk in _chunks(clients, BATCH_CLIENTS):
            rows = maker.orders(chunk, writer.ids)
            maker.deals(chunk, writer.ids, rows)
            writer.write(rows)
            for key in totals:
                totals[key] += len(getattr(rows, key))
            done += len(chunk)
            if done % (BATCH_CLIENTS * 20) == 0:
                log(f"    {done} clients, {totals['lines']} lines, {time.perf_counter() - start:.0f} s")
        top = Order.objects.filter(workspace=team.workspace).aggregate(top=models.Max("number"))["top"] or 0
        OrderCounter.objects.update_or_create(workspace=team.workspace, defaults={"last_number": top})
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model, _c in _models().values():
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    seconds = time.perf_counter() - start
    figures = ", ".join(f"{count} {key}" for key, count in totals.items())
    log(f"  generated {figures} in {seconds:.1f} s")
    return team


def _chunks(items: Any, size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients of the workspace (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from bench.common import prepare_database

    prepare_database()
    sales_bench(args.clients, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
