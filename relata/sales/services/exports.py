"""Export of the deals and leads lists to CSV or Excel: the rows the caller narrowed
(the actor's scope and the list's filters), only with `sales.export`, written to the
audit log with the row count. CSV is streamed, so the size of the list does not matter;
an Excel sheet stops at its own limit of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.core.access import require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.export import FORMATS, export_response
from relata.core.models import Membership
from relata.sales.models import Deal, Lead

Column = tuple[Any, Callable[[Any], Any]]

DEAL_COLUMNS: list[Column] = [
    ("ID", lambda d: d.pk),
    (gettext_lazy("Deal"), lambda d: d.title),
    (gettext_lazy("Pipeline"), lambda d: d.pipeline.name),
    (gettext_lazy("Stage"), lambda d: d.stage.name),
    (gettext_lazy("Status"), lambda d: d.get_status_display()),
    (gettext_lazy("Client"), lambda d: d.client.name if d.client else ""),
    (gettext_lazy("INN"), lambda d: d.client.inn if d.client else ""),
    (gettext_lazy("Amount"), lambda d: d.amount),
    (gettext_lazy("Currency"), lambda d: d.currency),
    (gettext_lazy("Probability, %"), lambda d: d.probability),
    (gettext_lazy("Expected close date"), lambda d: d.expected_close_date),
    (gettext_lazy("Owner"), lambda d: d.owner.full_name),
    (gettext_lazy("Competitors"), lambda d: ", ".join(d.competitors)),
    (gettext_lazy("Created"), lambda d: d.created_at),
    (gettext_lazy("Closed"), lambda d: d.closed_at),
    (gettext_lazy("Loss reason"), lambda d: d.loss_reason.display_name if d.loss_reason else ""),
    (gettext_lazy("Loss comment"), lambda d: d.loss_note),
]

LEAD_COLUMNS: list[Column] = [
    ("ID", lambda lead: lead.pk),
    (gettext_lazy("Contact name"), lambda lead: lead.contact_name),
    (gettext_lazy("Company"), lambda lead: lead.company_name),
    (gettext_lazy("Phone"), lambda lead: lead.phone),
    (gettext_lazy("E-mail"), lambda lead: lead.email),
    (gettext_lazy("INN"), lambda lead: lead.inn),
    (gettext_lazy("Status"), lambda lead: lead.get_status_display()),
    (gettext_lazy("Source"), lambda lead: lead.get_source_display()),
    (gettext_lazy("Channel"), lambda lead: lead.channel),
    (gettext_lazy("Campaign"), lambda lead: lead.campaign),
    ("utm_source", lambda lead: lead.utm_source),
    ("utm_medium", lambda lead: lead.utm_medium),
    ("utm_campaign", lambda lead: lead.utm_campaign),
    ("utm_term", lambda lead: lead.utm_term),
    ("utm_content", lambda lead: lead.utm_content),
    (gettext_lazy("Message"), lambda lead: lead.message),
    (gettext_lazy("Owner"), lambda lead: lead.owner.full_name),
    (gettext_lazy("Created"), lambda lead: lead.created_at),
    (gettext_lazy("Rejection reason"), lambda lead: lead.rejection_reason),
]


def _rows(queryset: QuerySet[Any], columns: list[Column]) -> Iterator[list[Any]]:
    for record in queryset.iterator(chunk_size=2000):
        yield [value(record) for _header, value in columns]


def _export(actor: Membership, queryset: QuerySet[Any], *, fmt: str, columns: list[Column], name: str) -> Any:
    require(actor, "sales", "export")
    if fmt not in FORMATS:
        raise invalid("format", _("Choose CSV or Excel."))
    count = queryset.order_by().count()
    record_event(
        kind=f"{name}.exported",
        workspace=actor.workspace,
        actor=actor.user,
        data={"rows": count, "format": fmt},
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return export_response(
        headers=[str(header) for header, _value in columns],
        rows=_rows(queryset, columns),
        filename=f"{name}s-{stamp}",
        fmt=fmt,
    )


def deals_export(actor: Membership, queryset: QuerySet[Deal], *, fmt: str) -> Any:
    """A download of the deals in `queryset` (already within the actor's scope)."""
    queryset = queryset.select_related("pipeline", "stage", "client", "owner", "loss_reason")
    return _export(actor, queryset, fmt=fmt, columns=DEAL_COLUMNS, name="deal")


def leads_export(actor: Membership, queryset: QuerySet[Lead], *, fmt: str) -> Any:
    """A download of the leads in `queryset` (already within the actor's scope)."""
    return _export(actor, queryset.select_related("owner"), fmt=fmt, columns=LEAD_COLUMNS, name="lead")
