"""The columnar copy of a workspace's sales: the widgets that may read it show the same
figures as from the database, only readers who see everything use it, a stale, foreign
or broken copy is never used, and a failed rebuild leaves the old copy in place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, default_period
from relata.analytics.reports.widgets import WIDGETS
from relata.analytics.services import columnar as copies
from relata.analytics.services.recompute import classes_recompute
from relata.catalog.models import Product
from relata.clients.models import Client
from relata.clients.services.segments import segment_create
from relata.core.access import owners_in_scope, scope_queryset
from relata.core.demo import create_demo_workspace
from relata.core.models import Membership, Workspace
from relata.orders.models import Order
from relata.sales.models import Deal, Pipeline, StageVisit

pytestmark = pytest.mark.django_db

FROM_COPY = [
    "sales_by_month",
    "sales_by_product",
    "products_abc_summary",
    "lifetime_summary",
    "funnel_stages",
    "managers_sales",
    "sales_by_month_of_year",
    "classes_matrix",
    "classes_rfm",
]


@pytest.fixture(autouse=True)
def copies_dir(settings, tmp_path):
    settings.ANALYTICS_COPY_DIR = str(tmp_path / "copies")


@pytest.fixture
def demo() -> dict[str, Membership]:
    workspace = create_demo_workspace()
    members = Membership.objects.filter(workspace=workspace, is_active=True).select_related("role", "workspace")
    return {member.role.key: member for member in members}


def _live(reader: Membership, filters: ReportFilters, key: str, settings) -> object:
    """The widget computed from the database (the copy counted as too old)."""
    age, settings.ANALYTICS_COPY_MAX_AGE = settings.ANALYTICS_COPY_MAX_AGE, -1
    try:
        return WIDGETS[key].compute(reader, filters)
    finally:
        settings.ANALYTICS_COPY_MAX_AGE = age


def _variants(workspace: Workspace, reader: Membership) -> list[ReportFilters]:
    start, end = default_period()
    product = Product.objects.filter(workspace=workspace).order_by("pk").first()
    source = Client.objects.filter(workspace=workspace).exclude(source="").order_by("pk").first()
    assert product is not None and source is not None
    manager = Order.objects.filter(workspace=workspace, paid_on__isnull=False).order_by("pk").first()
    assert manager is not None and manager.owner_id is not None
    return [
        ReportFilters(start, end),
        ReportFilters(start - dt.timedelta(days=400), end - dt.timedelta(days=17)),  # year before, part months
        ReportFilters(start, end, product=product.pk),
        ReportFilters(start, end, manager=manager.owner_id),
        ReportFilters(start, end, channel=source.source),
        *[ReportFilters(start, end, pipeline=p.pk) for p in Pipeline.objects.filter(workspace=workspace)],
        ReportFilters(end + dt.timedelta(days=1), end + dt.timedelta(days=40)),  # nothing sold yet
    ]


def _compare(reader: Membership, state: copies.CopyState, settings) -> Counter[str]:
    """Every widget that may read the copy, from the copy and from the database, for each
    variant of the filters: the same table (the copy's moment added to the note). Returns
    the number of variants with rows per widget."""
    compared: Counter[str] = Counter()
    for filters in _variants(reader.workspace, reader):
        for key in FROM_COPY:
            with CaptureQueriesContext(connection) as queries:
                table = WIDGETS[key].compute(reader, filters)
            live = _live(reader, filters, key, settings)
            assert table.note == " ".join(p for p in (live.note, columnar.as_of(state)) if p), key
            assert (table.key, table.columns, table.chart) == (live.key, live.columns, live.chart), key
            assert (table.rows, table.totals) == (live.rows, live.totals), (key, filters)
            read = " ".join(q["sql"] for q in queries.captured_queries)
            assert "orders_orderline" not in read and "sales_stagevisit" not in read, key  # not from the database
            compared[key] += bool(table.rows)
    return compared


def test_widgets_from_the_copy_show_the_databases_figures(demo, settings, monkeypatch):
    admin = demo["administrator"]
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the funnel's open stays count up to now
    state = copies.columnar_refresh(admin.workspace)
    purchased = Order.objects.filter(workspace=admin.workspace, status__in=("paid", "closed"), paid_on__isnull=False)
    assert state.orders == purchased.count() > 0
    assert columnar.copy_for(admin, ReportFilters(*default_period()), Client, Order, Deal) == state
    compared = _compare(admin, state, settings)
    assert all(compared[key] >= 4 for key in FROM_COPY), compared  # real figures compared, not empty tables


@pytest.mark.skipif(connection.vendor != "postgresql", reason="owners' fingerprints are PostgreSQL's")
def test_scoped_readers_use_the_copy_while_its_owners_are_the_databases(demo, settings, monkeypatch):
    settings.ANALYTICS_COPY_OWNERS_CHECK = 0  # every widget checks the owners anew
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    admin, head, manager = demo["administrator"], demo["head_of_sales"], demo["sales_manager"]
    state = copies.columnar_refresh(admin.workspace)
    filters = ReportFilters(*default_period())
    for reader in (head, manager):
        assert columnar.copy_for(reader, filters, Client, Order, Deal, StageVisit) is not None
        compared = _compare(reader, state, settings)
        assert all(compared[key] >= 2 for key in FROM_COPY), compared
    # A client of the manager's changes owner: the copy no longer says whose clients are
    # whose, so the scoped readers read the database until it is rebuilt.
    client = Client.objects.filter(owner_id=manager.user_id, orders__paid_on__isnull=False).first()
    assert client is not None
    before = WIDGETS["lifetime_summary"].compute(manager, filters)
    Client.objects.filter(pk=client.pk).update(owner_id=admin.user_id)
    assert columnar.copy_for(manager, filters, Client) is None
    assert columnar.copy_for(head, filters, Client) is None
    assert columnar.copy_for(manager, filters, Deal) is not None  # the deals' owners did not change
    assert columnar.copy_for(admin, filters, Client) is not None  # sees every client either way
    after = WIDGETS["lifetime_summary"].compute(manager, filters)
    assert columnar.as_of(state) not in after.note
    assert after.rows[0]["clients"] == before.rows[0]["clients"] - 1  # the client is no longer counted
    rebuilt = copies.columnar_refresh(admin.workspace)
    from_copy = WIDGETS["lifetime_summary"].compute(manager, filters)
    assert columnar.as_of(rebuilt) in from_copy.note and from_copy.rows == after.rows


def test_scoped_readers_use_the_copy_only_on_postgresql(demo):
    """SQLite's copy has no owners' fingerprints: only readers who see everything use it."""
    admin = demo["administrator"]
    copies.columnar_refresh(admin.workspace)
    filters = ReportFilters(*default_period())
    assert columnar.copy_for(admin, filters, Client) is not None
    for reader in (demo["head_of_sales"], demo["sales_manager"]):
        found = columnar.copy_for(reader, filters, Client)
        assert (found is not None) == (connection.vendor == "postgresql")


def test_a_segment_filter_reads_the_database(demo):
    admin = demo["administrator"]
    copies.columnar_refresh(admin.workspace)
    filters = ReportFilters(*default_period())
    segment = segment_create(admin, name="All people", entity="person", definition={"conditions": []})
    assert columnar.copy_for(admin, filters, Client) is not None
    assert columnar.copy_for(admin, replace(filters, segment=segment.pk), Client) is None


def test_a_stale_foreign_or_broken_copy_is_not_used(demo, settings):
    admin = demo["administrator"]
    workspace = admin.workspace
    filters = ReportFilters(*default_period())
    assert columnar.copy_for(admin, filters, Client) is None  # none built yet
    state = copies.columnar_refresh(workspace)
    settings.ANALYTICS_COPY_MAX_AGE = 60
    later = timezone.now() + dt.timedelta(seconds=61)
    assert columnar.copy_for(admin, filters, Client) == state
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert columnar.copy_for(admin, filters, Client) is None
    Workspace.objects.filter(pk=workspace.pk).update(default_currency="EUR")
    workspace.refresh_from_db()
    assert columnar.copy_for(admin, filters, Client) is None  # its purchases were in roubles
    Workspace.objects.filter(pk=workspace.pk).update(default_currency="RUB")
    workspace.refresh_from_db()
    assert columnar.copy_for(admin, filters, Client) == state
    workspace.created_at -= dt.timedelta(seconds=1)  # another database's workspace with the same id
    assert copies.copy_state(workspace) is None
    workspace.refresh_from_db()
    state.path.write_bytes(b"not a DuckDB file")
    assert copies.copy_state(workspace) is None
    table = WIDGETS["sales_by_month"].compute(admin, filters)  # from the database
    assert table.rows and "analytics copy" not in table.note


def test_a_failed_rebuild_leaves_the_previous_copy(demo, monkeypatch):
    admin = demo["administrator"]
    state = copies.columnar_refresh(admin.workspace)
    before = WIDGETS["sales_by_month"].compute(admin, ReportFilters(*default_period()))
    real_export = copies._export
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_export(*args, **kwargs)

    monkeypatch.setattr(copies, "_export", failing)
    with pytest.raises(OSError, match="disk full"):
        copies.columnar_refresh(admin.workspace)
    assert copies.copy_state(admin.workspace) == state
    assert WIDGETS["sales_by_month"].compute(admin, ReportFilters(*default_period())).rows == before.rows
    assert [p.name for p in state.path.parent.iterdir()] == [state.path.name]  # no scratch files left


def test_the_beat_task_keeps_copies_of_large_workspaces_only(demo, settings):
    workspace = demo["administrator"].workspace
    lines = copies.order_lines_count(workspace)
    assert lines > 0
    settings.ANALYTICS_COPY_MIN_LINES = lines + 1
    assert copies.columnar_refresh_all() == 0 and copies.copy_state(workspace) is None
    settings.ANALYTICS_COPY_MIN_LINES = lines
    assert copies.columnar_refresh_all() == 1
    state = copies.copy_state(workspace)
    assert state is not None
    assert copies.columnar_refresh_all() == 0  # fresh: not rebuilt
    later = state.built_at + dt.timedelta(seconds=settings.ANALYTICS_COPY_REFRESH)
    assert copies.columnar_refresh_all(now=later) == 1
    settings.ANALYTICS_COPY_MIN_LINES = lines + 1  # the workspace shrank below the size
    assert copies.columnar_refresh_all() == 0 and copies.copy_state(workspace) is None
    assert not copies.copy_path(workspace.pk).exists()


def test_money_from_the_copy_is_exact(demo):
    admin = demo["administrator"]
    state = copies.columnar_refresh(admin.workspace)
    start, end = default_period()
    found = columnar.sales_figures(state, ReportFilters(start, end), start, end)
    revenue = found[()][0]
    assert isinstance(revenue, Decimal) and revenue == revenue.quantize(Decimal("0.01"))


@pytest.mark.parametrize("model", [Client, Order, Deal, StageVisit])
def test_owners_in_scope_keeps_what_the_access_scope_keeps(demo, model):
    """The copy narrows its rows by `owners_in_scope`; the database's rows by
    `scope_queryset`: the same rows for every scope (and none without the permission)."""
    owner_field = model.owner_field
    assert owner_field is not None
    rows = model.objects.filter(workspace=demo["administrator"].workspace)
    assert rows.exists()
    for reader in demo.values():
        allowed = owners_in_scope(reader, model)
        expected = rows if allowed is None else rows.filter(**{f"{owner_field}__in": allowed})
        assert set(scope_queryset(reader, model.objects.all()).values_list("pk", flat=True)) == set(
            expected.values_list("pk", flat=True)
        ), reader.role.key
    reader = demo["sales_manager"]
    reader.is_active = False
    assert owners_in_scope(reader, model) == []


def test_a_failing_rebuild_in_the_beat_task_is_logged_not_raised(demo, settings, monkeypatch, caplog):
    workspace = demo["administrator"].workspace
    settings.ANALYTICS_COPY_MIN_LINES = 1

    def failing(ws: Workspace) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(copies, "columnar_refresh", failing)
    assert copies.columnar_refresh_all() == 0  # no exception: the loop goes on to the next workspace
    assert f"the analytics copy of workspace {workspace.pk} could not be rebuilt" in caplog.text


def test_the_classes_widgets_read_the_copy_only_while_it_holds_the_current_classes(demo, settings):
    admin = demo["administrator"]
    filters = ReportFilters(*default_period())
    classes_recompute(admin.workspace)
    state = copies.columnar_refresh(admin.workspace)
    assert columnar.as_of(state) in WIDGETS["classes_matrix"].compute(admin, filters).note
    # A recomputation after the copy: the widgets read the new classes from the database.
    with pytest.MonkeyPatch.context() as patch:
        later = timezone.now() + dt.timedelta(seconds=5)
        patch.setattr(timezone, "now", lambda: later)
        classes_recompute(admin.workspace)
    table = WIDGETS["classes_matrix"].compute(admin, filters)
    assert columnar.as_of(state) not in table.note
    assert table.rows == _live(admin, filters, "classes_matrix", settings).rows
    rebuilt = copies.columnar_refresh(admin.workspace)
    assert columnar.as_of(rebuilt) in WIDGETS["classes_rfm"].compute(admin, filters).note
