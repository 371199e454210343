"""What every analytics report returns: a table (the figures) with an optional chart of
the same rows. Pages render the chart above the table, so every chart has the table
behind it; the API returns the table as JSON; exports write the same rows to CSV or xlsx.

A report builds `Table(columns=[…], rows=[…])` where each row is a dict keyed by the
columns' keys. Money and counts stay Decimal/int (formatting is the template's job), and
percentages are Decimals in percent (12.5 means 12.5 %), or None where undefined
(a conversion of a stage nobody entered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from relata.core.export import export_response

ColumnKind = Literal["text", "int", "money", "percent", "number", "date"]
ChartKind = Literal["bar", "line", "stacked", "funnel", "pie"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Chart:
    """How to draw the table: `x` is the column of the categories (or months), `series`
    the numeric columns drawn over them."""

    kind: ChartKind
    x: str
    series: list[str]


@dataclass
class Table:
    key: str  # stable, for ids, file names and the API ("funnel_stages", "sales_by_month")
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] | None = None  # the last row, shown in bold and exported
    chart: Chart | None = None
    note: str = ""  # one line under the title: what is counted, and how

    @property
    def chart_id(self) -> str:
        return f"{self.key}-chart"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def cells(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(c.key) for c in self.columns]

    def chart_data(self) -> dict[str, Any] | None:
        """The chart as the JSON the page's charts.js draws (Chart.js datasets)."""
        if self.chart is None or not self.rows:
            return None
        labels = [_plain(row.get(self.chart.x)) for row in self.rows]
        datasets = [
            {"label": self.column(key).label, "data": [_number(row.get(key)) for row in self.rows]}
            for key in self.chart.series
        ]
        return {"kind": self.chart.kind, "labels": labels, "datasets": datasets}


def table_export(table: Table, fmt: str, *, filename: str | None = None) -> Any:
    """The table (with its totals row) as a CSV or xlsx download."""
    rows = [table.cells(row) for row in table.rows]
    if table.totals:
        rows.append(table.cells(table.totals))
    return export_response(headers=[c.label for c in table.columns], rows=rows, filename=filename or table.key, fmt=fmt)


def percent(part: Any, whole: Any) -> Decimal | None:
    """`part` of `whole` in percent to one decimal; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
