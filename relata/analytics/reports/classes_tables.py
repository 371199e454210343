"""The stored client classes as report tables (for the dashboards): the ABC×XYZ matrix
and the clients per RFM segment. The classes are those of the last recomputation, so the
period filter does not apply; the client filters (manager, segment, channel) do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from relata.analytics.models import AbcClass, ClientClass, RfmSegment, XyzClass
from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, of_clients_in
from relata.analytics.reports.table import Chart, Column, Table
from relata.analytics.selectors.classes import classes_visible_to
from relata.clients.models import Client
from relata.core.models import Membership
from relata.core.money import CENT


def _classes(actor: Membership, filters: ReportFilters) -> QuerySet[ClientClass]:
    """The visible classes of the clients in the filters."""
    return of_clients_in(classes_visible_to(actor).order_by(), actor, filters)


def classes_tables(actor: Membership, filters: ReportFilters) -> list[Table]:
    """One GROUP BY gives both tables: the cells of the matrix and the RFM segments (from
    the columnar copy where the reader may use it and it holds the current classes)."""
    state = columnar.copy_for(actor, filters, Client, ClientClass)
    if state is not None and columnar.classes_copied(state, actor.workspace):
        tables = _tables(columnar.class_groups(state, filters))
        return [columnar.noted(table, state) for table in tables]
    groups = (
        _classes(actor, filters)
        .values("abc", "xyz", "rfm_segment")
        .annotate(clients=Count("id"), revenue=Sum("revenue"))
    )
    return _tables([dict(group) for group in groups])


def _tables(groups: list[dict[str, Any]]) -> list[Table]:
    cells: dict[tuple[str, str], tuple[int, Decimal]] = {}
    counts: dict[str, int] = {}
    for group in groups:
        clients, revenue = cells.get((group["abc"], group["xyz"]), (0, Decimal(0)))
        cells[group["abc"], group["xyz"]] = (clients + group["clients"], revenue + Decimal(group["revenue"] or 0))
        counts[group["rfm_segment"]] = counts.get(group["rfm_segment"], 0) + group["clients"]
    cells = {key: (clients, revenue.quantize(CENT)) for key, (clients, revenue) in cells.items()}
    matrix_rows: list[dict[str, Any]] = []
    for abc in [*AbcClass.values, ""]:
        row: dict[str, object] = {"abc": abc or _("none")}
        for xyz in [*XyzClass.values, ""]:
            row[xyz or "none"] = cells.get((abc, xyz), (0, Decimal(0)))[0]
        row["revenue"] = sum((cells.get((abc, xyz), (0, Decimal(0)))[1] for xyz in [*XyzClass.values, ""]), Decimal(0))
        matrix_rows.append(row)
    matrix = Table(
        key="classes_matrix",
        title=_("Clients per ABC and XYZ class"),
        note=_("The classes of the last recomputation; clients without purchases in its period have none."),
        columns=[
            Column("abc", _("ABC")),
            *[Column(x, x, "int") for x in XyzClass.values],
            Column("none", _("no XYZ"), "int"),
            Column("revenue", _("Revenue"), "money"),
        ],
        rows=matrix_rows if cells else [],
        chart=Chart("stacked", x="abc", series=[*XyzClass.values]),
    )
    segments = Table(
        key="classes_rfm",
        title=_("Clients per RFM segment"),
        columns=[Column("segment", _("RFM segment")), Column("clients", _("Clients"), "int")],
        rows=[{"segment": str(label), "clients": counts.get(value, 0)} for value, label in RfmSegment.choices]
        if counts
        else [],
        chart=Chart("pie", x="segment", series=["clients"]),
    )
    return [matrix, segments]
