"""Client lists at scale: a filtered, sorted list page over 1,000,000 clients (target p95 ≤ 100 ms).

A page of the companies or people list is what `build_listing` (relata/clients/views/
listing.py) asks the database for: `client_list(actor, kind, definition=…, sort=…)`, the
capped count of CountedPaginator (at most 10,001 rows) and the first 50 rows. Measured
over 50 pages with a filter (a lifecycle status and a city) and a sort (by name, newest
first), as an administrator (scope all) and as a sales manager (scope own), against the
hand-written SQL for the same rows; then the whole page through the view (HTML
rendered) for a few of them.

CountedPaginator counts `object_list.order_by()[:10001]`: without the ORDER BY, which
Django keeps in a sliced count and which made PostgreSQL sort every matching row to count
them (0.5–3 s at a million clients, before stop 9).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from functools import partial
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse

from bench.client_search import report_spread, sql_call, time_queries
from bench.common import SCALE, scaled
from bench.generate import client_bench
from relata.clients.models import LifecycleStatus
from relata.clients.selectors.lists import client_list
from relata.clients.views.listing import COUNT_LIMIT, CountedPaginator
from relata.core.models import Membership

CLIENTS = 1_000_000
PAGES = 50
PAGE_SIZE = 50
TARGET_P95_MS = 100.0
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Химки", "Краснодар"]
SORTS = ["name", "-created_at"]


def list_page(
    actor: Membership, kind: str, definition: dict[str, Any], sort: str
) -> Callable[[], tuple[int, list[Any]]]:
    """What the list view asks for: the capped count, then the first page."""

    def call() -> tuple[int, list[Any]]:
        paginator = CountedPaginator(client_list(actor, kind, definition=definition, sort=sort), PAGE_SIZE)
        page = paginator.get_page(1)
        return paginator.count, list(page.object_list)

    return call


def list_sql(actor: Membership, kind: str, status_id: int, city: str, sort: str) -> Callable[[], Any]:
    """The same count and page in hand-written SQL (the count needs no order)."""
    where = "c.workspace_id = %s AND c.kind = %s AND c.status_id = %s AND LOWER(c.city) LIKE %s"
    params: list[Any] = [actor.workspace_id, kind, status_id, f"%{city.casefold()}%"]
    if actor.scope == "own":
        where += " AND c.owner_id = %s"
        params.append(actor.user_id)
    order = "c.name ASC, c.id ASC" if sort == "name" else "c.created_at DESC, c.id DESC"
    count = sql_call(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM clients_client c WHERE {where} LIMIT %s) t", [*params, COUNT_LIMIT + 1]
    )
    page = sql_call(
        "SELECT c.*, s.*, u.* FROM clients_client c JOIN clients_lifecyclestatus s ON s.id = c.status_id "
        f"JOIN core_user u ON u.id = c.owner_id WHERE {where} ORDER BY {order} LIMIT %s",
        [*params, PAGE_SIZE],
    )

    def call() -> Any:
        return count(), page()

    return call


def _definition(status_id: int, city: str) -> dict[str, Any]:
    """The list's quick filters "status" and "city", as definition_from_params makes them."""
    return {
        "conditions": [
            {"field": "status", "op": "in", "value": [status_id]},
            {"field": "city", "op": "contains", "value": city},
        ],
        "text": "",
    }


def _pages(statuses: dict[str, int], rng: random.Random) -> list[tuple[str, int, str, str]]:
    combos = list(itertools.product(["company", "person"], statuses.values(), CITIES, SORTS))
    rng.shuffle(combos)
    return combos[:PAGES]


def run() -> None:
    team = client_bench(scaled(CLIENTS))
    rng = random.Random(11)  # noqa: S311
    statuses = dict(LifecycleStatus.objects.filter(workspace=team.workspace).exclude(key="").values_list("key", "pk"))
    pages = _pages(statuses, rng)
    print(
        f"  {scaled(CLIENTS)} clients; {len(pages)} pages (status + city, sorted); target p95 ≤ {TARGET_P95_MS:.0f} ms"
    )
    for label, actor in [("administrator", team.admin), ("manager, scope own", team.managers[0])]:
        for sort in SORTS:
            chosen = [p for p in pages if p[3] == sort]
            definitions = [(kind, _definition(status, city)) for kind, status, city, _s in chosen]
            sql = time_queries([list_sql(actor, kind, status, city, sort) for kind, status, city, _s in chosen])
            ours = time_queries([list_page(actor, kind, d, sort) for kind, d in definitions])
            report_spread(f"{label}: sort {sort}", ours, sql, TARGET_P95_MS)
        counts = [list_page(actor, k, d, "name")()[0] for k, d in definitions[:5]]
        print(f"    counts of the first pages: {counts} (capped at {COUNT_LIMIT + 1})")
    _whole_pages(team.admin, team.managers[0], statuses)
    if SCALE != 1:
        print(f"  (scale {SCALE}: the target is for 1,000,000 clients)")


def _whole_pages(admin: Membership, manager: Membership, statuses: dict[str, int]) -> None:
    """The companies page through the view, HTML included: the server time of a request."""
    shown = list(itertools.product([statuses["client"], statuses["cold"]], ["Москва", "Казань"], SORTS))
    for label, actor in [("administrator", admin), ("manager, scope own", manager)]:
        browser = HttpClient(HTTP_HOST="localhost")
        browser.force_login(actor.user)
        urls = [reverse("clients:companies") + f"?status={s}&city={c}&sort={o}" for s, c, o in shown]
        for url in urls:
            response = browser.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        ours = time_queries([partial(browser.get, url) for url in urls])
        sql = time_queries([list_sql(actor, "company", s, c, o) for s, c, o in shown])
        report_spread(f"{label}: whole companies page (view + HTML)", ours, sql, TARGET_P95_MS)
