"""The stored client classes as report tables (for the dashboards): the ABC×XYZ matrix
and the clients per RFM segment. The classes are those of the last recomputation, so the
period filter does not apply; the client filters (manager, segment, channel) do."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from relata.analytics.models import AbcClass, ClientClass, RfmSegment, XyzClass
from relata.analytics.reports.filters import ReportFilters, clients_in
from relata.analytics.reports.table import Chart, Column, Table
from relata.analytics.selectors.classes import classes_visible_to
from relata.core.models import Membership
from relata.core.money import CENT


def _classes(actor: Membership, filters: ReportFilters) -> QuerySet[ClientClass]:
    return classes_visible_to(actor).filter(client_id__in=clients_in(actor, filters).values("pk")).order_by()


def classes_tables(actor: Membership, filters: ReportFilters) -> list[Table]:
    classes = _classes(actor, filters)
    cells = {
        (row["abc"], row["xyz"]): (row["clients"], (row["revenue"] or Decimal(0)).quantize(CENT))
        for row in classes.values("abc", "xyz").annotate(clients=Count("id"), revenue=Sum("revenue"))
    }
    matrix_rows = []
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
    counts = {row["rfm_segment"]: row["n"] for row in classes.values("rfm_segment").annotate(n=Count("id"))}
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
