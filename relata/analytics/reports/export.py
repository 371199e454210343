"""Export of a report table: `analytics.export`, recorded in the audit log with the
filters and the row count (export is a permission of its own, as for client lists)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.table import Table, table_export
from relata.core.access import require
from relata.core.audit import record_event, register_event_kinds
from relata.core.export import FORMATS
from relata.core.models import Membership

register_event_kinds({"analytics.report_exported": gettext_lazy("Analytics report exported")})


def report_export(actor: Membership, tables: list[Table], *, key: str, fmt: str, filters: ReportFilters) -> Any:
    """The download of table `key` of a report, after the permission and format checks."""
    require(actor, "analytics", "export")
    if fmt not in FORMATS:
        raise ValidationError({"fmt": _("Choose CSV or Excel.")})
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise ValidationError({"table": _("This report has no such table.")})
    record_event(
        kind="analytics.report_exported",
        workspace=actor.workspace,
        actor=actor.user,
        data={"table": key, "format": fmt, "rows": len(table.rows), "filters": filters.as_params()},
    )
    return table_export(table, fmt)
