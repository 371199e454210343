"""Analytics at scale: the recomputation of client classes and every dashboard widget's report over 1,000,000 clients.

The data is `sales_bench(n)` (bench/generate_sales.py): the clients of `client_bench(n)`
with three years of orders (~10 lines per client), payments and deals (~2 per client).
Measured, each against hand-written SQL for the same figures in the same run:

- `classes_recompute` (ABC + XYZ + RFM of every client over the workspace's 12 months,
  stored as ClientClass rows), against an independently written INSERT … SELECT of the
  same classes (rolled back); the two must agree client by client;
- every dashboard widget (each computes only its own table), with the dashboard's
  default filters, as the administrator and as a manager with scope "own"; most against
  one hand-written statement for the same figures (BASELINES). BENCH_WIDGETS=a,b times
  only those widgets.

Targets (issue 7, for reference, not asserted): recomputation ≤ 60 s, any dashboard widget
≤ 1 s, ≤ 2× the hand-written SQL. Figures are p50 (p95 over so few runs is the slowest).

Also timed: the build of the columnar copy (relata.analytics.services.columnar) that the
heavy widgets read, marked "(copy)"; with BENCH_COMPARE_DATABASE=1 (the default) the
administrator's copied widgets are timed again reading the database. The readers are the
administrator, the head of sales (scope team, over every manager) and a manager (own).

Measured (2026-12-05, stop 16, PostgreSQL 15, 2 CPUs; 1,000,000 clients, 3.87M orders,
10.0M lines, 2.0M deals, 7.2M stage visits, freshly generated): recomputation 19.9 s
(hand-written 23.9 s, ratio 0.83). The copy builds in 46 s (349 MiB, peak RSS 1.2 GB).
Every widget of every reader ≤ 0.71 s p50 and p95: administrator 3 ms – 0.69 s (forecast),
head of sales 3 ms – 0.67 s, manager 3 ms – 0.21 s. Copied widgets against the
hand-written SQL over the database: ratios 0.02–0.10 (e.g. sales_by_product 0.39 s against
7.6 s; the same widget reading the database: 9.1–10.5 s). Widgets that read the database
(managers' activities and response, funnel losses, leads, forecast): ratios ≤ 1.22.

  BENCH_SCALE=0.02 python -m bench.run analytics     # 20,000 clients
  python -m bench.analytics --clients 20000          # the same
  BENCH_REPORT_RUNS=2 BENCH_RECOMPUTE_RUNS=2 python -m bench.analytics   # 1M in ~30 min
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

CLIENTS = 1_000_000
TARGET_RECOMPUTE_S = 60.0
TARGET_WIDGET_MS = 1000.0
TARGET_RATIO = 2.0
RECOMPUTE_RUNS = int(os.environ.get("BENCH_RECOMPUTE_RUNS", "3"))
REPORT_RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "5"))  # fewer at 1M clients: a slow report takes minutes


def timed(call: Callable[[], Any], runs: int, *, warm: bool = True) -> list[float]:
    """Wall times in milliseconds of `runs` runs (after one warm-up run)."""
    if warm:
        call()
    times = []
    for _n in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p50(times: list[float]) -> float:
    return statistics.median(times)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(label: str, ours: list[float], sql: list[float] | None = None, target: str = "") -> None:
    text = f"  {label:<46} p50 {p50(ours):9.1f} ms  p95 {p95(ours):9.1f} ms"
    if sql is not None:
        ratio = p50(ours) / p50(sql) if p50(sql) else float("inf")
        text += f"   SQL p50 {p50(sql):9.1f} ms   ratio {ratio:5.2f}"
    if target:
        text += f"   [{target}]"
    print(text)


def _sql(sql: str, params: dict[str, Any]) -> Callable[[], Any]:
    def call() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    return call


# --- Hand-written SQL -------------------------------------------------------------------

# The purchases: orders paid in full in the default currency, dated by `paid_on`.
PURCHASES = """
purchase AS (
    SELECT o.id, o.client_id, o.owner_id, o.total, o.paid_on AS day FROM orders_order o
    WHERE o.workspace_id = %(ws)s AND o.status IN ('paid', 'closed') AND o.currency = %(currency)s
      AND o.paid_on >= %(start)s AND o.paid_on < %(end)s
)"""

CLASSES_SELECT = f"""
WITH {PURCHASES},
monthly AS (
    SELECT client_id, date_trunc('month', day) AS month, SUM(total) AS amount FROM purchase GROUP BY 1, 2
),
xyz AS (
    SELECT client_id, SUM(amount) / %(months)s AS mean,
           SQRT(GREATEST(SUM(amount * amount) / %(months)s - (SUM(amount) / %(months)s) ^ 2, 0)) AS deviation
    FROM monthly GROUP BY client_id
),
per_client AS (
    SELECT client_id, SUM(total) AS revenue, COUNT(*) AS orders, MAX(day) AS last FROM purchase GROUP BY client_id
),
ranked AS (
    SELECT c.*, x.mean, x.deviation,
           SUM(revenue) FILTER (WHERE revenue > 0) OVER (ORDER BY revenue DESC, client_id) - revenue AS above,
           SUM(revenue) FILTER (WHERE revenue > 0) OVER () AS total,
           RANK() OVER (ORDER BY last) - 1 AS r_worse, COUNT(*) OVER (PARTITION BY last) AS r_equal,
           RANK() OVER (ORDER BY orders) - 1 AS f_worse, COUNT(*) OVER (PARTITION BY orders) AS f_equal,
           RANK() OVER (ORDER BY revenue) - 1 AS m_worse, COUNT(*) OVER (PARTITION BY revenue) AS m_equal,
           COUNT(*) OVER () AS n
    FROM per_client c LEFT JOIN xyz x USING (client_id)
),
scored AS (
    SELECT *, 1 + (5 * (2 * r_worse + r_equal)) / (2 * n) AS r, 1 + (5 * (2 * f_worse + f_equal)) / (2 * n) AS f,
           1 + (5 * (2 * m_worse + m_equal)) / (2 * n) AS m,
           CASE WHEN mean > 0 THEN ROUND(deviation / mean * 100, 2) END AS variation
    FROM ranked
)
SELECT %(ws)s, NOW(), NOW(), client_id,
       CASE WHEN revenue <= 0 THEN '' WHEN above * 100 < %(a)s * total THEN 'A'
            WHEN above * 100 < %(ab)s * total THEN 'B' ELSE 'C' END,
       CASE WHEN variation IS NULL THEN '' WHEN variation <= %(x)s THEN 'X'
            WHEN variation <= %(y)s THEN 'Y' ELSE 'Z' END,
       variation, r, f, m,
       CASE WHEN r >= 4 THEN CASE WHEN f >= 4 THEN 'champions' ELSE 'potential' END
            WHEN r = 3 THEN CASE WHEN f >= 3 THEN 'loyal' ELSE 'attention' END
            WHEN f >= 3 THEN 'at_risk' WHEN r = 2 THEN 'hibernating' ELSE 'lost' END,
       ROUND(revenue, 2), orders, last, %(end)s::date - last, %(start)s::date, %(end)s::date, NOW()
FROM scored
"""

CLASS_COLUMNS = (
    "workspace_id, created_at, updated_at, client_id, abc, xyz, variation, r, f, m, rfm_segment, revenue, orders, "
    "last_purchase, recency_days, period_start, period_end, computed_at"
)

# One hand-written statement per widget: the same figures as the widget's table.
SALES_BY_MONTH_SQL = """
WITH purchase AS (
    SELECT o.client_id, o.total, o.paid_on AS day FROM orders_order o
    WHERE o.workspace_id = %(ws)s AND o.status IN ('paid', 'closed') AND o.currency = %(currency)s
      AND o.paid_on >= %(before)s AND o.paid_on < %(end)s
)
SELECT date_trunc('month', day), SUM(total), COUNT(*), COUNT(DISTINCT client_id) FROM purchase GROUP BY 1
UNION ALL
SELECT NULL, SUM(total), COUNT(*), COUNT(DISTINCT client_id) FROM purchase WHERE day >= %(start)s
"""

SEASONALITY_SQL = f"""
WITH {PURCHASES}
SELECT extract(month FROM day), SUM(total), COUNT(*) FROM purchase GROUP BY 1
"""

SALES_BY_PRODUCT_SQL = f"""
WITH {PURCHASES}
SELECT l.product_id, SUM(l.quantity), SUM(l.total), COUNT(DISTINCT l.order_id)
FROM purchase p JOIN orders_orderline l ON l.order_id = p.id GROUP BY l.product_id
UNION ALL
SELECT NULL, NULL, SUM(total), COUNT(*) FROM purchase
"""

PRODUCTS_SUMMARY_SQL = f"""
WITH {PURCHASES}
SELECT l.product_id, SUM(l.total) FROM purchase p JOIN orders_orderline l ON l.order_id = p.id GROUP BY l.product_id
"""

MANAGERS_SALES_SQL = f"""
WITH {PURCHASES}
SELECT 'deals', owner_id, COUNT(*) FILTER (WHERE status = 'won'), COUNT(*) FILTER (WHERE status = 'lost'),
       SUM(amount) FILTER (WHERE status = 'won' AND currency = %(currency)s),
       SUM(closed_at - created_at) FILTER (WHERE status = 'won')
FROM sales_deal WHERE workspace_id = %(ws)s AND status IN ('won', 'lost') AND closed_at >= %(begin)s
  AND closed_at < %(finish)s
GROUP BY owner_id
UNION ALL
SELECT 'revenue', owner_id, NULL, NULL, SUM(total), NULL FROM purchase GROUP BY owner_id
"""

# The funnel of the default pipeline: deals created in the period, the stages they reached
# (by their furthest visit), time in stage, deals now in each stage by status.
FUNNEL_DEALS = """
d AS (
    SELECT id, amount, currency, status, stage_id, loss_reason_id, owner_id FROM sales_deal
    WHERE workspace_id = %(ws)s AND pipeline_id = %(pipeline)s AND created_at >= %(begin)s AND created_at < %(finish)s
)"""

FUNNEL_STAGES_SQL = f"""
WITH {FUNNEL_DEALS},
visit AS (
    SELECT v.deal_id, v.stage_id, s.position, COALESCE(v.left_at, NOW()) - v.entered_at AS spent
    FROM sales_stagevisit v JOIN d ON d.id = v.deal_id
    JOIN sales_stage s ON s.id = v.stage_id AND s.pipeline_id = %(pipeline)s
),
furthest AS (SELECT deal_id, MAX(position) AS position FROM visit GROUP BY deal_id),
depth AS (
    SELECT f.position, COUNT(*) AS n, SUM(d.amount) FILTER (WHERE d.currency = %(currency)s) AS amount
    FROM furthest f JOIN d ON d.id = f.deal_id GROUP BY f.position
)
SELECT 'reached', s.id, SUM(depth.n), SUM(depth.amount), NULL::interval
FROM sales_stage s JOIN depth ON depth.position >= s.position WHERE s.pipeline_id = %(pipeline)s GROUP BY s.id
UNION ALL
SELECT 'stay', stage_id, COUNT(DISTINCT deal_id), NULL, SUM(spent) FROM visit GROUP BY stage_id
UNION ALL
SELECT status, stage_id, COUNT(*), NULL, NULL FROM d GROUP BY status, stage_id
"""

FUNNEL_LOSSES_SQL = f"""
WITH {FUNNEL_DEALS}
SELECT stage_id, loss_reason_id, COUNT(*), SUM(amount) FILTER (WHERE currency = %(currency)s)
FROM d WHERE status = 'lost' GROUP BY stage_id, loss_reason_id
"""

CLASSES_SQL = """
SELECT abc, xyz, rfm_segment, COUNT(*), SUM(revenue) FROM analytics_clientclass WHERE workspace_id = %(ws)s
GROUP BY 1, 2, 3
"""

LIFETIME_SUMMARY_SQL = """
WITH per_client AS (
    SELECT o.client_id, SUM(o.total) AS revenue, COUNT(*) AS orders FROM orders_order o
    WHERE o.workspace_id = %(ws)s AND o.status IN ('paid', 'closed') AND o.currency = %(currency)s
      AND o.paid_on < %(end)s
    GROUP BY o.client_id
),
products AS (
    SELECT COUNT(*) AS pairs FROM (
        SELECT DISTINCT o.client_id, l.product_id FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
        WHERE o.workspace_id = %(ws)s AND o.status IN ('paid', 'closed') AND o.currency = %(currency)s
          AND o.paid_on < %(end)s
    ) pair
)
SELECT COUNT(*), SUM(revenue), AVG(revenue), percentile_cont(0.5) WITHIN GROUP (ORDER BY revenue), AVG(orders),
       (SELECT pairs FROM products)
FROM per_client
"""

# Per widget key: the hand-written statement it is measured against.
BASELINES = {
    "sales_by_month": SALES_BY_MONTH_SQL,
    "sales_by_month_of_year": SEASONALITY_SQL,
    "sales_by_product": SALES_BY_PRODUCT_SQL,
    "products_abc_summary": PRODUCTS_SUMMARY_SQL,
    "managers_sales": MANAGERS_SALES_SQL,
    "funnel_stages": FUNNEL_STAGES_SQL,
    "funnel_losses": FUNNEL_LOSSES_SQL,
    "classes_matrix": CLASSES_SQL,
    "classes_rfm": CLASSES_SQL,
    "lifetime_summary": LIFETIME_SUMMARY_SQL,
}


# --- The benchmark ----------------------------------------------------------------------


def _recompute(team: Any, params: dict[str, Any]) -> None:
    from relata.analytics.models import ClientClass
    from relata.analytics.services.recompute import classes_recompute, clean_period, settings_of

    workspace = team.workspace
    period = clean_period(default_months=settings_of(workspace).period_months)
    print(f"  recomputation of ABC + XYZ + RFM, period {period.start} – {period.end} (exclusive)")
    runs = [timed(lambda: classes_recompute(workspace), 1, warm=False)[0] for _n in range(RECOMPUTE_RUNS)]
    stored = ClientClass.objects.filter(workspace=workspace).count()

    def sql_recompute() -> None:
        with transaction.atomic():
            _sql("DELETE FROM analytics_clientclass WHERE workspace_id = %(ws)s", params)()
            _sql(f"INSERT INTO analytics_clientclass ({CLASS_COLUMNS}) {CLASSES_SELECT}", params)()
            transaction.set_rollback(True)

    sql_runs = timed(sql_recompute, RECOMPUTE_RUNS)
    line(f"classes_recompute ({stored} clients classed)", runs, sql_runs, f"target ≤ {TARGET_RECOMPUTE_S:.0f} s")
    select_ms = timed(_sql(CLASSES_SELECT, params), 1)
    print(f"    the hand-written SELECT alone (no storing): {p50(select_ms):9.1f} ms")

    ours = sorted(
        ClientClass.objects.filter(workspace=workspace).values_list(
            "client_id", "abc", "xyz", "r", "f", "m", "revenue", "orders"
        )
    )
    theirs = sorted(
        (row[3], row[4], row[5], row[7], row[8], row[9], row[11], row[12]) for row in _sql(CLASSES_SELECT, params)()
    )
    same = sum(1 for a, b in zip(ours, theirs, strict=False) if a == b)
    print(f"    the hand-written SQL agrees with the service on {same} of {len(ours)} clients ({len(theirs)} rows)")


def _widgets(team: Any, params: dict[str, Any]) -> None:
    """Every dashboard widget (each computes only its own table), as the administrator and
    as a manager with scope "own", with the dashboard's default filters."""
    from relata.analytics.reports.columnar import as_of, copy_for
    from relata.analytics.reports.filters import report_filters
    from relata.analytics.reports.widgets import WIDGETS
    from relata.analytics.services.columnar import columnar_refresh
    from relata.clients.models import Client

    only = {key for key in os.environ.get("BENCH_WIDGETS", "").split(",") if key}
    manager = team.managers[0]
    start = time.perf_counter()
    state = columnar_refresh(team.workspace)
    print(
        f"  the columnar copy built in {time.perf_counter() - start:.1f} s: {state.orders} purchases, "
        f"{state.lines} lines, {state.path.stat().st_size / 2**20:.0f} MiB"
    )
    warm = REPORT_RUNS > 1
    readers = ((team.admin, "administrator"), (team.head, "head of sales, scope team"), (manager, "manager, scope own"))
    for actor, label in readers:
        filters = report_filters(actor, {})
        print(f"  dashboard widgets as {label}, {filters.date_from} – {filters.date_to}:")
        from_copy = copy_for(actor, filters, Client) is not None
        for key, widget in WIDGETS.items():
            if only and key not in only:
                continue
            ours = timed(partial(widget.compute, actor, filters), REPORT_RUNS, warm=warm)
            baseline = BASELINES.get(key) if actor is team.admin else None
            sql = timed(_sql(baseline, params), REPORT_RUNS, warm=warm) if baseline else None
            copied = from_copy and as_of(state) in widget.compute(actor, filters).note
            line(f"{key}{' (copy)' if copied else ''}", ours, sql, f"widget ≤ {TARGET_WIDGET_MS:.0f} ms")
            if copied and os.environ.get("BENCH_COMPARE_DATABASE", "1") == "1":  # read from the database instead
                with _copy_unused():
                    line(f"{key} (database)", timed(partial(widget.compute, actor, filters), REPORT_RUNS, warm=warm))


@contextmanager
def _copy_unused() -> Iterator[None]:
    """The widgets read the database: the copy counts as too old."""
    from django.conf import settings

    age, settings.ANALYTICS_COPY_MAX_AGE = settings.ANALYTICS_COPY_MAX_AGE, -1
    try:
        yield
    finally:
        settings.ANALYTICS_COPY_MAX_AGE = age


def run(clients: int | None = None) -> None:
    from bench.common import scaled
    from bench.generate_sales import sales_bench
    from relata.analytics.reports.filters import ReportFilters, default_period
    from relata.analytics.reports.funnel import funnel_pipeline, moments
    from relata.analytics.services.classes import add_months
    from relata.analytics.services.recompute import settings_of
    from relata.orders.models import Order, OrderLine
    from relata.sales.models import Deal

    n = clients or scaled(CLIENTS)
    team = sales_bench(n)
    workspace = team.workspace
    settings = settings_of(workspace)
    this_month = timezone.localdate().replace(day=1)
    counts = (
        Order.objects.filter(workspace=workspace).count(),
        OrderLine.objects.filter(workspace=workspace).count(),
        Deal.objects.filter(workspace=workspace).count(),
    )
    print(f"  {n} clients, {counts[0]} orders, {counts[1]} order lines, {counts[2]} deals")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average of the machine now: {load} ({os.cpu_count()} CPUs; wall times grow with it)")
    print(
        f"  targets: recomputation ≤ {TARGET_RECOMPUTE_S:.0f} s, a widget ≤ {TARGET_WIDGET_MS:.0f} ms, "
        f"≤ {TARGET_RATIO:.0f}× the hand-written SQL"
    )
    t = settings
    params: dict[str, Any] = {
        "ws": workspace.pk,
        "currency": workspace.default_currency,
        "start": add_months(this_month, -settings.period_months),
        "end": this_month,
        "months": settings.period_months,
        "a": t.abc_a,
        "ab": t.abc_a + t.abc_b,
        "x": t.xyz_x,
        "y": t.xyz_y,
    }
    if os.environ.get("BENCH_SKIP_RECOMPUTE") != "1":
        _recompute(team, params)

    # The widgets' default period: the last twelve whole months and this one so far.
    first, last = default_period()
    begin, finish = moments(team.admin, first, last)
    pipeline = funnel_pipeline(team.admin, ReportFilters(first, last))
    report_params = {
        **params,
        "start": first,
        "end": last + dt.timedelta(days=1),
        "before": add_months(first, -12),
        "begin": begin,
        "finish": finish,
        "pipeline": pipeline.pk if pipeline else None,
    }
    _widgets(team, report_params)
    if n != CLIENTS:
        print(f"  ({n} clients: the targets are for {CLIENTS:,}; the figures grow about linearly with the rows)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=None, help="clients (default 1,000,000 × BENCH_SCALE)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from bench.common import prepare_database

    prepare_database()
    run(args.clients)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
