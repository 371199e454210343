"""Client search at scale: the search box over 1,000,000 clients (target p95 ≤ 50 ms).

50 queries of each kind, drawn from the generated clients: a name fragment, a phone
fragment typed in another format ("916 123-45"), an e-mail fragment, and a misspelt name
(two letters swapped: found by trigram similarity). Each goes through the search box's
code, `search_clients(actor, text)` (scope, ranking, the first 10 hits), as an
administrator (scope all) and as a sales manager (scope own, asking for their own
clients), against the hand-written SQL for the same rows. Every query runs once to warm
up, then BENCH_REPEAT times (at most 5); its median is its time; p50/p95 are over the
queries.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection

from bench.common import REPEAT, SCALE, scaled
from bench.generate import client_bench
from relata.clients.models import Client
from relata.clients.selectors.search import (
    CANDIDATES,
    WORD_START,
    _fragments,
    _terms,
    _typo_key,
    search_clients,
)
from relata.core.models import Membership

CLIENTS = 1_000_000
QUERIES = 50
TARGET_P95_MS = 50.0


# --- Timing and printing, shared with bench.client_list --------------------------------


def time_queries(calls: Sequence[Callable[[], Any]]) -> list[float]:
    """Per call, the median wall time (ms) of BENCH_REPEAT runs (at most 5: there are
    hundreds of calls) after one warm-up run."""
    times = []
    for call in calls:
        call()
        runs = []
        for _n in range(max(1, min(REPEAT, 5))):
            start = time.perf_counter()
            call()
            runs.append((time.perf_counter() - start) * 1000)
        times.append(statistics.median(runs))
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def report_spread(label: str, ours: list[float], sql: list[float], target: float) -> None:
    p50, p95 = p50_p95(ours)
    s50, s95 = p50_p95(sql)
    verdict = "ok" if p95 <= target else f"MISSES {target:.0f} ms"
    print(
        f"  {label:<44} p50 {p50:7.2f} p95 {p95:7.2f} ms   hand-written SQL p50 {s50:7.2f} p95 {s95:7.2f} ms"
        f"   ratio p50 {p50 / s50 if s50 else 0:4.2f} p95 {p95 / s95 if s95 else 0:4.2f}   {verdict}"
    )


def sql_call(sql: str, params: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
    def call() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    return call


def sample_clients(actor: Membership, count: int, rng: random.Random, **filters: Any) -> list[Client]:
    """`count` random clients the actor owns (scope own) or may see, matching `filters`."""
    queryset = Client.objects.filter(workspace_id=actor.workspace_id, **filters)
    if actor.scope == "own":
        queryset = queryset.filter(owner_id=actor.user_id)
    low, high = (
        queryset.order_by("pk").values_list("pk", flat=True).first(),
        queryset.order_by("-pk").values_list("pk", flat=True).first(),
    )
    found: dict[int, Client] = {}
    while len(found) < count and low is not None and high is not None:
        ids = [rng.randint(low, high) for _n in range(count * 60)]
        for client in queryset.filter(pk__in=ids)[: count * 2]:
            found.setdefault(client.pk, client)
    return list(found.values())[:count]


# --- The queries ----------------------------------------------------------------------


def _core_word(name: str) -> str:
    """The distinctive part of a company name: its longest word inside the quotes (not
    "СК" of "СК Иванов"), or after "ИП"."""
    inner = name.split("«", 1)[1].rstrip("»") if "«" in name else name.removeprefix("ИП ")
    return max(inner.split(), key=len)


def name_fragment(client: Client) -> str:
    if client.kind == "person":
        return f"{client.last_name} {client.first_name[:3]}"
    return _core_word(client.name)[:8]


def phone_fragment(client: Client) -> str:
    digits = client.primary_phone[2:]  # +7 9161234567 → "916 123-45"
    return f"{digits[:3]} {digits[3:6]}-{digits[6:8]}"


def email_fragment(client: Client) -> str:
    local, _at, domain = client.primary_email.partition("@")
    return local if client.kind == "person" else domain.rsplit(".", 1)[0]


def misspelt_name(client: Client) -> str:
    word = client.last_name if client.kind == "person" else _core_word(client.name)
    i = max(1, len(word) // 2)
    swapped = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return f"{swapped} {client.first_name}" if client.kind == "person" else swapped


KINDS: list[tuple[str, Callable[[Client], str], dict[str, Any]]] = [
    ("name fragment", name_fragment, {}),
    ("phone fragment, other format", phone_fragment, {"primary_phone__startswith": "+7"}),
    ("e-mail fragment", email_fragment, {"primary_email__contains": "@"}),
    ("misspelt name", misspelt_name, {}),
]


def _like(fragment: str) -> str:
    return "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_sql(actor: Membership, text: str) -> Callable[[], list[tuple[Any, ...]]]:
    """The hand-written equivalent of `search_clients`: the same exact fragments (at most
    CANDIDATES of them ranked), or near-spellings of a name when none was found."""
    lowered, digits = _terms(text)
    key = _typo_key(text)
    scope, scope_params = "c.workspace_id = %s", [actor.workspace_id]
    if actor.scope == "own":
        scope += " AND c.owner_id = %s"
        scope_params.append(actor.user_id)
    fragments = _fragments(lowered, digits)
    like = " OR ".join("c.search_text ~ %s" if len(f) < 3 else "c.search_text LIKE %s" for f in fragments)
    like_params = [WORD_START + f if len(f) < 3 else _like(f) for f in fragments]
    rank, rank_params = ("word_similarity(%s, c.search_text) DESC,", [lowered]) if len(lowered) >= 4 else ("", [])
    columns = (
        "SELECT c.*, s.*, u.* FROM clients_client c JOIN clients_lifecyclestatus s ON s.id = c.status_id "
        "JOIN core_user u ON u.id = c.owner_id "
    )
    exact = sql_call(
        f"{columns} WHERE c.id IN (SELECT c.id FROM clients_client c WHERE {scope} AND ({like}) LIMIT {CANDIDATES}) "
        f"ORDER BY {rank} c.name, c.id LIMIT 10",
        [*scope_params, *like_params, *rank_params],
    )

    near = sql_call(
        f"{columns} WHERE {scope} AND c.match_name %%> %s ORDER BY similarity(c.match_name, %s) DESC, c.name, c.id "
        "LIMIT 10",
        [*scope_params, key, key],
    )

    def call() -> list[tuple[Any, ...]]:
        rows = exact()
        if not rows and key:
            rows = near()
        return rows

    return call


def run() -> None:
    team = client_bench(scaled(CLIENTS))
    rng = random.Random(5)  # noqa: S311
    actors = [("administrator", team.admin), ("manager, scope own", team.managers[0])]
    print(f"  {scaled(CLIENTS)} clients; {QUERIES} queries of each kind; target p95 ≤ {TARGET_P95_MS:.0f} ms")
    for label, actor in actors:
        for kind, make, filters in KINDS:
            texts = [make(c) for c in sample_clients(actor, QUERIES, rng, **filters)]
            hits = [len(search_clients(actor, t)) for t in texts]
            ours = time_queries([partial(search_clients, actor, t) for t in texts])
            sql = time_queries([search_sql(actor, t) for t in texts])
            report_spread(f"{label}: {kind}", ours, sql, TARGET_P95_MS)
            found = sum(1 for h in hits if h)
            print(f"    e.g. {texts[0]!r}, {texts[1]!r}; {found}/{len(texts)} queries found something")
    if SCALE != 1:
        print(f"  (scale {SCALE}: the target is for 1,000,000 clients)")
