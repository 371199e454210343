"""Client timeline at scale: pages of a busy client's timeline (5,000 activities, 2,000 tasks, 1,000 changes).

One workspace of 200 clients; one company has 5,000 activities, 2,000 tasks and 1,000
change events over two years, the others some each (noise in the same tables). A page
is what the client card asks for: `timeline_page(actor, client, …)` (relata/core/
timeline.py), which merges the sources the apps register (activities with their
details, tasks, the client's own events described in words) by keyset. Measured as the
client's owner (a sales manager, scope own) and as an administrator (scope all):

  (a) the first page;
  (b) a page deep in the past: the cursor followed 50 times (1,250 entries back), each
      page of the walk timed, and the 50th page repeated;
  (c) filtered pages: only calls; only one author (a colleague with a tenth of the
      entries, the selective case).

Against hand-written SQL for the same entries: one UNION ALL of the three sources,
each branch an ordered, limited range read, merged by time with LIMIT (checked to
return the same entries). Every call runs once to warm up, then BENCH_RUNS times
(default 30); p50/p95 are over those runs (for the walk, over its pages). A page's
query count is printed, and the first page's queries are also replayed as raw SQL:
the database's share of its time, apart from the ORM's Python work.

The keyset condition of the source the cursor points into is `t <= T AND (t < T OR id <
I)`, one index range (without the redundant `t <= T`, PostgreSQL would read the index from
the newest row down to the cursor); the buffers that source reads for the deep page are
printed (BENCH_EXPLAIN=1 prints the plan).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import SCALE, scaled
from bench.generate import BenchTeam, bench_workspace, generate_clients
from relata.activities.models import DIRECTED_KINDS, Activity, ActivityContact, Outcome, Task, TaskType
from relata.activities.selectors.activities import activities_visible_to
from relata.clients.models import Client, LifecycleStatus
from relata.core import timeline as core_timeline
from relata.core.models import Event, Membership
from relata.core.timeline import Cursor, TimelinePage, timeline_page

SLUG = "bench-timeline"
CLIENTS = 200
BUSY_ACTIVITIES = 5_000
BUSY_TASKS = 2_000
BUSY_EVENTS = 1_000
# Every other client: a modest history (the same tables, other index ranges).
NOISE_ACTIVITIES = 60
NOISE_TASKS = 15
NOISE_EVENTS = 5
DEPTH = 50  # pages followed for (b)
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
PAGE = core_timeline.PAGE_SIZE
KINDS = ["call"] * 35 + ["email"] * 25 + ["note"] * 12 + ["document_sent"] * 10 + ["document_received"] * 5
KINDS += ["meeting"] * 5 + ["visit"] * 3 + ["message"] * 4 + ["letter"]
SPAN = dt.timedelta(days=730)
BATCH = 2_000


# --- Data ------------------------------------------------------------------------------


def _workspace() -> tuple[BenchTeam, Client]:
    """The benchmark workspace and its busy client (owned by the first manager);
    generated on first use, then reused (a run at another scale needs a new database)."""
    team = bench_workspace(SLUG, name="Bench timeline", managers=4, teams=2)
    ws = team.workspace
    clients = max(20, scaled(CLIENTS))
    if not Client.objects.filter(workspace=ws).exists():
        print(f"  generating {clients} clients…", flush=True)
        generate_clients(ws, clients, owners=team.owner_ids, seed=3)
    busy = Client.objects.filter(workspace=ws, kind="company").order_by("pk").first()
    if busy is None:
        raise RuntimeError("the benchmark workspace has no company")
    if busy.owner_id != team.managers[0].user_id:
        Client.objects.filter(pk=busy.pk).update(owner_id=team.managers[0].user_id)
        busy.owner_id = team.managers[0].user_id
    have = Activity.objects.filter(workspace=ws, client=busy).count()
    if have == scaled(BUSY_ACTIVITIES):
        return team, busy
    if have:
        raise RuntimeError(f"{SLUG} holds another scale's data: drop the benchmark database")
    start = time.perf_counter()
    with transaction.atomic():
        _fill(team, busy)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Activity, ActivityContact, Task, Event):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    print(f"  generated the histories in {time.perf_counter() - start:.1f} s", flush=True)
    return team, busy


def _fill(team: BenchTeam, busy: Client) -> None:
    rng = random.Random(5)  # noqa: S311  (benchmark data)
    ws = team.workspace
    now = timezone.now()
    outcomes = list(Outcome.objects.filter(workspace=ws).values_list("pk", flat=True))
    types = list(TaskType.objects.filter(workspace=ws).values_list("pk", flat=True))
    statuses = list(LifecycleStatus.objects.filter(workspace=ws).values_list("pk", flat=True))
    colleagues = [team.head.user_id, *(m.user_id for m in team.managers[1:])]
    people = list(Client.objects.filter(workspace=ws, kind="person").values_list("pk", flat=True)[:50])
    client_type = ContentType.objects.get_for_model(Client)
    clients = list(Client.objects.filter(workspace=ws).values_list("pk", "owner_id"))
    print(
        f"  generating {scaled(BUSY_ACTIVITIES)} activities, {scaled(BUSY_TASKS)} tasks and "
        f"{scaled(BUSY_EVENTS)} changes for the busy client, and the other clients' histories…",
        flush=True,
    )

    def when() -> dt.datetime:
        return now - dt.timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))

    def author(owner: int) -> int:
        # The owner mostly; a colleague (the head of sales above all) now and then.
        roll = rng.random()
        if roll < 0.1:
            return team.head.user_id
        return rng.choice(colleagues) if roll < 0.15 else owner

    activities: list[Activity] = []
    tasks: list[Task] = []
    events: list[Event] = []
    for pk, owner in clients:
        mine = pk == busy.pk
        for _n in range(scaled(BUSY_ACTIVITIES) if mine else scaled(NOISE_ACTIVITIES)):
            kind = rng.choice(KINDS)
            activities.append(
                Activity(
                    workspace_id=ws.pk,
                    client_id=pk,
                    author_id=author(owner),
                    kind=kind,
                    direction=rng.choice(["in", "out"]) if kind in DIRECTED_KINDS else "",
                    occurred_at=when(),
                    duration=rng.randrange(30, 900) if kind == "call" else None,
                    subject=f"{kind} {rng.randrange(10**6)}",
                    body="<p>Обсудили объём и сроки поставки.</p>" if rng.random() < 0.5 else "",
                    outcome_id=rng.choice(outcomes) if kind == "call" else None,
                    amount=Decimal(rng.randrange(10_000, 2_000_000)) if kind == "document_sent" else None,
                    currency="RUB" if kind == "document_sent" else "",
                )
            )
        for _n in range(scaled(BUSY_TASKS) if mine else scaled(NOISE_TASKS)):
            created = when()
            done = rng.random() < 0.85
            assignee = owner if rng.random() < 0.9 else rng.choice(colleagues)
            finished = min(now, created + dt.timedelta(days=rng.randrange(0, 10)))
            tasks.append(
                Task(
                    workspace_id=ws.pk,
                    client_id=pk,
                    type_id=rng.choice(types),
                    title=f"task {rng.randrange(10**6)}",
                    due_at=created + dt.timedelta(days=rng.randrange(1, 10)),
                    assignee_id=assignee,
                    created_by_id=author(owner),
                    status="done" if done else "open",
                    completed_at=finished if done else None,
                    completed_by_id=assignee if done else None,
                    result="ok" if done else "",
                    timeline_at=finished if done else created,
                )
            )
        for _n in range(scaled(BUSY_EVENTS) if mine else scaled(NOISE_EVENTS)):
            actor = author(owner)
            change = (
                {"status": [rng.choice(statuses), rng.choice(statuses)]}
                if rng.random() < 0.3
                else {"note": ["", f"note {rng.randrange(10**6)}"]}
            )
            events.append(
                Event(
                    workspace_id=ws.pk,
                    actor_id=actor,
                    actor_label=f"user{actor}@bench.test",
                    kind="client.changed",
                    target_type=client_type,
                    target_id=pk,
                    target_repr=f"client {pk}",
                    changes=change,
                    occurred_at=when(),
                )
            )
    Activity.objects.bulk_create(activities, batch_size=BATCH)
    ActivityContact.objects.bulk_create(
        [
            ActivityContact(activity_id=a.pk, person_id=rng.choice(people))
            for a in activities
            if people and a.kind in ("call", "meeting") and rng.random() < 0.5
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    Event.objects.bulk_create(events, batch_size=BATCH)


# --- Timing ------------------------------------------------------------------------------


def runs(call: Callable[[], Any], n: int = RUNS) -> list[float]:
    """Wall times (ms) of `n` runs after a warm-up run."""
    call()
    times = []
    for _n in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def show(label: str, ours: list[float], sql: list[float] | None = None, queries: int | None = None) -> None:
    p50, p95 = p50_p95(ours)
    line = f"  {label:<50} p50 {p50:7.2f} p95 {p95:7.2f} ms"
    if sql:
        s50, s95 = p50_p95(sql)
        line += f"   SQL p50 {s50:6.2f} p95 {s95:6.2f} ms   ratio p50 {p50 / s50:5.1f} p95 {p95 / s95:5.1f}"
    if queries is not None:
        line += f"   {queries} queries"
    print(line, flush=True)


def count_queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def replay(call: Callable[[], Any]) -> Callable[[], None]:
    """The SQL statements `call` sends, sent again as they are: their database time
    without the ORM's Python work (building the queries, making the objects)."""
    with CaptureQueriesContext(connection) as captured:
        call()
    statements = [q["sql"] for q in captured.captured_queries]

    def again() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return again


# --- What is measured --------------------------------------------------------------------


def page(
    actor: Membership,
    client: Client,
    before: Cursor | None = None,
    kind: str | None = None,
    author_id: int | None = None,
) -> Callable[[], TimelinePage]:
    """A page as the card asks for it: every source's rows with what their entries show."""

    def call() -> TimelinePage:
        return timeline_page(actor, client, before=before, kind=kind, author_id=author_id)

    return call


def walk(actor: Membership, client: Client, depth: int, **filters: Any) -> tuple[list[Cursor | None], list[float]]:
    """Follow the cursor `depth` times: the cursor of every page, and each page's time."""
    cursors: list[Cursor | None] = [None]
    times: list[float] = []
    for _n in range(depth):
        start = time.perf_counter()
        result = page(actor, client, cursors[-1], **filters)()
        times.append((time.perf_counter() - start) * 1000)
        if result.next_cursor is None:
            break
        cursors.append(result.next_cursor)
    return cursors, times


def sql_page(
    actor: Membership,
    client: Client,
    before: Cursor | None = None,
    kind: str | None = None,
    author_id: int | None = None,
) -> Callable[[], list[tuple[Any, ...]]]:
    """The same entries in one hand-written statement: each source an ordered range read
    of its index (the keyset condition as a row comparison), merged with UNION ALL."""
    ws, own = actor.workspace_id, actor.scope == "own"
    limit = PAGE + 1
    branches: list[str] = []
    params: list[Any] = []

    def keyset(time_column: str, rank: int) -> str:
        if before is None:
            return ""
        if rank < before.rank:
            params.append(before.at)
            return f" AND {time_column} < %s"
        if rank == before.rank:
            params.extend([before.at, before.pk])
            return f" AND ({time_column}, x.id) < (%s, %s)"
        params.append(before.at)
        return f" AND {time_column} <= %s"

    if kind is None or kind.startswith("activities"):
        params.extend([ws, client.pk])
        where = "x.workspace_id = %s AND x.client_id = %s"
        if own:
            where += " AND c.owner_id = %s"
            params.append(actor.user_id)
        if kind and ":" in kind:
            where += " AND x.kind = %s"
            params.append(kind.split(":", 1)[1])
        if author_id is not None:
            where += " AND x.author_id = %s"
            params.append(author_id)
        where += keyset("x.occurred_at", 10)
        branches.append(
            "(SELECT x.occurred_at AS at, 10 AS rank, x.id, x.subject AS title, u.full_name AS who "
            "FROM activities_activity x JOIN clients_client c ON c.id = x.client_id "
            f"JOIN core_user u ON u.id = x.author_id WHERE {where} ORDER BY x.occurred_at DESC, x.id DESC LIMIT %s)"
        )
        params.append(limit)
    if kind is None or kind.startswith("tasks"):
        params.extend([ws, client.pk])
        where = "x.workspace_id = %s AND x.client_id = %s"
        if own:
            where += " AND x.assignee_id = %s"
            params.append(actor.user_id)
        if author_id is not None:
            where += " AND (x.created_by_id = %s OR x.completed_by_id = %s)"
            params.extend([author_id, author_id])
        where += keyset("x.timeline_at", 20)
        branches.append(
            "(SELECT x.timeline_at AS at, 20 AS rank, x.id, x.title, u.full_name AS who "
            "FROM activities_task x JOIN core_user u ON u.id = x.assignee_id "
            f"WHERE {where} ORDER BY x.timeline_at DESC, x.id DESC LIMIT %s)"
        )
        params.append(limit)
    if kind is None or kind.startswith("changes"):
        params.extend([ws, ContentType.objects.get_for_model(Client).pk, client.pk])
        where = "x.workspace_id = %s AND x.target_type_id = %s AND x.target_id = %s"
        if author_id is not None:
            where += " AND x.actor_id = %s"
            params.append(author_id)
        where += keyset("x.occurred_at", 30)
        branches.append(
            "(SELECT x.occurred_at AS at, 30 AS rank, x.id, x.kind AS title, x.actor_label AS who "
            f"FROM core_event x WHERE {where} ORDER BY x.occurred_at DESC, x.id DESC LIMIT %s)"
        )
        params.append(limit)
    sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) timeline ORDER BY at DESC, rank, id DESC LIMIT %s"
    params.append(limit)

    def call() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    return call


def _same_entries(actor: Membership, client: Client, before: Cursor | None, **filters: Any) -> None:
    """The hand-written SQL must return what the page shows, or its figure means nothing."""
    ours = [(i.rank, i.pk) for i in page(actor, client, before, **filters)().items]
    sql = [(row[1], row[2]) for row in sql_page(actor, client, before, **filters)()][:PAGE]
    if ours != sql:
        raise RuntimeError(f"the hand-written SQL disagrees with timeline_page ({filters}, before={before})")


def _deep_reads(actor: Membership, client: Client, before: Cursor) -> None:
    """PostgreSQL: the buffers the activities source reads for a deep page whose last
    entry is an activity (BENCH_EXPLAIN=1: the plan)."""
    if connection.vendor != "postgresql":
        return
    cursor = before if before.rank == 10 else Cursor(before.at, 10, 2**62)
    queryset = activities_visible_to(actor).filter(client_id=client.pk)
    plan = core_timeline.keyset(queryset, "occurred_at", 10, cursor)[: PAGE + 1].explain(analyze=True, buffers=True)
    hits = re.search(r"Buffers: shared hit=(\d+)", plan)
    if os.environ.get("BENCH_EXPLAIN"):
        print("    plan of the activities source, deep page:")
        print("\n".join(f"      {line}" for line in plan.splitlines()))
    print(f"  (b) deep page, buffers read by the activities source: {hits.group(1) if hits else '?'}", flush=True)


def run() -> None:
    team, busy = _workspace()
    owner = Membership.objects.select_related("workspace", "role", "user").get(pk=team.managers[0].pk)
    admin = team.admin
    head_id = team.head.user_id
    counts = {
        "activities": Activity.objects.filter(client=busy).count(),
        "tasks": Task.objects.filter(client=busy).count(),
        "changes": Event.objects.filter(target_id=busy.pk, kind="client.changed").count(),
        "head": Activity.objects.filter(client=busy, author_id=head_id).count(),
    }
    total = Activity.objects.filter(workspace=busy.workspace_id).count()
    print(
        f"  busy client: {counts['activities']} activities ({counts['head']} by the head of sales), "
        f"{counts['tasks']} tasks, {counts['changes']} changes; {total} activities in the workspace; "
        f"{RUNS} runs per figure",
        flush=True,
    )
    for label, actor in [("owner, scope own", owner), ("administrator", admin)]:
        print(f"  -- as the {label}")
        _same_entries(actor, busy, None)
        first = page(actor, busy)
        show("(a) first page", runs(first), runs(sql_page(actor, busy)), count_queries(first))
        show("(a) first page: its queries replayed, no ORM", runs(replay(first)), runs(sql_page(actor, busy)))
        cursors, _warm = walk(actor, busy, DEPTH)
        cursors, walked = walk(actor, busy, DEPTH)
        deep = cursors[-1]
        show(f"(b) pages 1–{len(walked)} of the walk", walked)
        _same_entries(actor, busy, deep)
        show(
            f"(b) page {len(cursors)} (after {len(cursors) - 1} cursors)",
            runs(page(actor, busy, deep)),
            runs(sql_page(actor, busy, deep)),
            count_queries(page(actor, busy, deep)),
        )
        if deep is not None:
            _deep_reads(actor, busy, deep)
        filtered: list[tuple[str, dict[str, Any]]] = [
            ("only calls", {"kind": "activities:call"}),
            ("only the head of sales' entries", {"author_id": head_id}),
        ]
        for name, filters in filtered:
            _same_entries(actor, busy, None, **filters)
            call = page(actor, busy, **filters)
            show(f"(c) first page, {name}", runs(call), runs(sql_page(actor, busy, **filters)), count_queries(call))
            middle = walk(actor, busy, 10, **filters)[0][-1] if "author_id" in filters else None
            if middle is not None:
                _same_entries(actor, busy, middle, **filters)
                show(
                    f"(c) page 11, {name}",
                    runs(page(actor, busy, middle, **filters)),
                    runs(sql_page(actor, busy, middle, **filters)),
                )
    if SCALE != 1:
        print(f"  (scale {SCALE}: the figures are for a client of {BUSY_ACTIVITIES} activities at scale 1)")
