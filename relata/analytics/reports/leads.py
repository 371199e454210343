"""Lead statistics (issue 7, item 3): how many leads came in, how many were qualified or
rejected and why, by month and by source.

The leads counted are those visible to the actor (`leads_visible_to`) received in the
period (created, in the workspace's time zone), owned by the manager when that filter is
set. Each lead is counted in the month it came in and with its state today, so a month's
received = qualified + rejected + still open, and the qualification rate is the share of
the leads received that were qualified (recent months, with leads still open, read low
until those are decided). The segment, channel, product and pipeline filters do not
apply: a lead has no client segment yet, and its own channel is shown by source below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.funnel import moments, month_label, month_start, workspace_zone
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import add_months
from relata.core.access import require
from relata.core.models import Membership
from relata.sales.models import Lead, LeadSource, LeadStatus
from relata.sales.selectors.leads import leads_visible_to

OPEN_STATUSES = [LeadStatus.NEW, LeadStatus.IN_WORK]


def leads_in(actor: Membership, filters: ReportFilters) -> QuerySet[Lead]:
    start, end = moments(actor, filters.date_from, filters.date_to)
    leads = leads_visible_to(actor).order_by().filter(created_at__gte=start, created_at__lt=end)
    if filters.manager is not None:
        leads = leads.filter(owner_id=filters.manager)
    return leads


def _counted(queryset: QuerySet[Any, Any]) -> list[dict[str, Any]]:
    """The grouped `queryset`'s rows with the leads received, qualified, rejected, open."""
    return list(
        queryset.annotate(
            received=Count("id"),
            qualified=Count("id", filter=Q(status=LeadStatus.QUALIFIED)),
            rejected=Count("id", filter=Q(status=LeadStatus.REJECTED)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        )
    )


def _totals(rows: list[dict[str, Any]], label_key: str) -> dict[str, Any]:
    totals: dict[str, Any] = {label_key: _("Total")}
    for key in ("received", "qualified", "rejected", "open"):
        totals[key] = sum(row[key] for row in rows)
    totals["rate"] = percent(totals["qualified"], totals["received"])
    return totals


def leads_report(actor: Membership, filters: ReportFilters) -> list[Table]:
    """Tables `leads_by_month`, `leads_by_source` and `lead_rejections`."""
    require(actor, "analytics", "view")
    leads = leads_in(actor, filters)
    return [_by_month(actor, filters, leads), _by_source(leads), _rejections(leads)]


def _by_month(actor: Membership, filters: ReportFilters, leads: QuerySet[Lead]) -> Table:
    zone = workspace_zone(actor)
    table = Table(
        key="leads_by_month",
        title=_("Leads by month"),
        columns=[
            Column("month", _("Month")),
            Column("received", _("Received"), "int"),
            Column("qualified", _("Qualified"), "int"),
            Column("rejected", _("Rejected"), "int"),
            Column("open", _("Still open"), "int"),
            Column("rate", _("Qualification rate"), "percent"),
        ],
        chart=Chart("stacked", x="month", series=["qualified", "rejected", "open"]),
        note=_("Leads by the month they came in, each as it stands today; qualification rate: qualified of received."),
    )
    found: dict[dt.date, dict[str, Any]] = {}
    for row in _counted(leads.annotate(month=TruncMonth("created_at", tzinfo=zone)).values("month")):
        month = month_start(row["month"], zone)
        bucket = found.setdefault(month, {"received": 0, "qualified": 0, "rejected": 0, "open": 0})
        for key in bucket:
            bucket[key] += row[key]
    if not found:
        return table
    month = filters.date_from.replace(day=1)
    while month <= filters.date_to:
        counts = found.get(month, {"received": 0, "qualified": 0, "rejected": 0, "open": 0})
        table.rows.append(
            {"month": month_label(month), **counts, "rate": percent(counts["qualified"], counts["received"])}
        )
        month = add_months(month, 1)
    table.totals = _totals(table.rows, "month")
    return table


def _by_source(leads: QuerySet[Lead]) -> Table:
    table = Table(
        key="leads_by_source",
        title=_("Leads by source and channel"),
        columns=[
            Column("source", _("Source")),
            Column("channel", _("Channel")),
            Column("received", _("Received"), "int"),
            Column("qualified", _("Qualified"), "int"),
            Column("rejected", _("Rejected"), "int"),
            Column("open", _("Still open"), "int"),
            Column("rate", _("Qualification rate"), "percent"),
        ],
        note=_("The lead's source, and the channel it names (an advertising channel, a site)."),
    )
    labels = dict(LeadSource.choices)
    rows = _counted(leads.values("source", "channel"))
    rows.sort(key=lambda row: (-row["received"], str(labels.get(row["source"], row["source"])), row["channel"]))
    for row in rows:
        table.rows.append(
            {
                "source": str(labels.get(row["source"], row["source"])),
                "channel": row["channel"] or None,
                "received": row["received"],
                "qualified": row["qualified"],
                "rejected": row["rejected"],
                "open": row["open"],
                "rate": percent(row["qualified"], row["received"]),
            }
        )
    if table.rows:
        table.totals = _totals(table.rows, "source")
    return table


def _rejections(leads: QuerySet[Lead]) -> Table:
    table = Table(
        key="lead_rejections",
        title=_("Why leads are rejected"),
        columns=[
            Column("reason", _("Rejection reason")),
            Column("count", _("Leads"), "int"),
            Column("share", _("Share of rejected"), "percent"),
        ],
        chart=Chart("pie", x="reason", series=["count"]),
        note=_("Rejected leads received in the period, by the reason given (as typed or chosen)."),
    )
    rows = list(
        leads.filter(status=LeadStatus.REJECTED).values("rejection_reason").annotate(n=Count("id")).order_by("-n")
    )
    total = sum(row["n"] for row in rows)
    rows.sort(key=lambda row: (-row["n"], row["rejection_reason"].casefold()))
    for row in rows:
        table.rows.append({"reason": row["rejection_reason"], "count": row["n"], "share": percent(row["n"], total)})
    if table.rows:
        table.totals = {"reason": _("Total"), "count": total, "share": percent(total, total)}
    return table
