"""Administration: the audit log."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from relata.core.audit import EVENT_KINDS
from relata.core.decorators import permission_required
from relata.core.export import FORMATS, export_response
from relata.core.models import Event, Membership
from relata.core.selectors.events import events_visible_to
from relata.core.selectors.members import users_of_workspace
from relata.core.services.audit import audit_log_exported_event
from relata.web.forms import StyledForm
from relata.web.lists import Column, build_list, render_list


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(label=gettext_lazy("User"), queryset=None, empty_label=gettext_lazy("All"))
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=(), empty_label=gettext_lazy("All"))
    record = django_filters.CharFilter(
        label=gettext_lazy("Record"),
        method="filter_record",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("name or type:id")}),
    )
    since = django_filters.DateFilter(
        label=pgettext_lazy("start of a period", "From"),
        method="filter_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=pgettext_lazy("end of a period", "To"),
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        fields = ["actor", "kind", "record", "since", "until"]
        form = StyledForm

    def __init__(self, *args: object, actor: Membership, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.filters["actor"].queryset = users_of_workspace(actor)
        self.filters["kind"].extra["choices"] = sorted(
            ((k, str(v)) for k, v in EVENT_KINDS.items()), key=lambda c: c[1]
        )

    def filter_record(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """ "deal:42" or "42" finds a record by id; other text, by its name at the time."""
        value = value.strip()
        if not value:
            return queryset
        model, _, ident = value.rpartition(":")
        if ident.isdigit():
            queryset = queryset.filter(target_id=int(ident))
            return queryset.filter(target_type__model=model.lower()) if model else queryset
        return queryset.filter(target_repr__icontains=value)

    def filter_since(self, queryset: QuerySet[Event], name: str, value: dt.date) -> QuerySet[Event]:
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        return queryset.filter(occurred_at__gte=start)

    def filter_until(self, queryset: QuerySet[Event], name: str, value: dt.date) -> QuerySet[Event]:
        end = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))
        return queryset.filter(occurred_at__lt=end)


def kind_label(event: Event) -> str:
    return str(EVENT_KINDS.get(event.kind, event.kind))


AUDIT_COLUMNS = [
    Column("occurred_at", gettext_lazy("Time"), sort="occurred_at", css="text-nowrap"),
    Column("actor_label", gettext_lazy("User"), sort="actor_label"),
    Column("kind", gettext_lazy("Kind"), sort="kind", value=kind_label),
    Column("target", gettext_lazy("Record"), template="core/settings/_event_target.html"),
    Column("changes", gettext_lazy("Changes"), template="core/settings/_event_changes.html"),
    Column("ip_address", gettext_lazy("IP address")),
]


def _changes_text(event: Event) -> str:
    return "; ".join(f"{name}: {old} → {new}" for name, (old, new) in event.changes.items())


def _target_text(event: Event) -> str:
    if event.target_type is None:
        return ""
    return f"{event.target_type.name} #{event.target_id} {event.target_repr}"


@permission_required("admin", "export")
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as CSV or Excel; the export itself is an audit event."""
    actor = request.actor  # type: ignore[attr-defined]
    fmt = request.GET.get("format", "csv")
    filterset = AuditFilter(request.GET or None, queryset=events_visible_to(actor), actor=actor)
    if fmt not in FORMATS or (filterset.is_bound and not filterset.is_valid()):
        messages.error(request, _("The export could not be made: check the filters and the format."))
        return HttpResponseRedirect(reverse("core:audit"))
    events = filterset.qs.order_by("-occurred_at", "-id")
    filters = {k: v for k, v in request.GET.items() if k not in ("format", "page", "sort") and v}
    audit_log_exported_event(actor, filters=filters, rows=events.count(), fmt=fmt)
    headers = [str(c.label) for c in AUDIT_COLUMNS]
    rows = (
        [e.occurred_at, e.actor_label, kind_label(e), _target_text(e), _changes_text(e), e.ip_address]
        for e in events.iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return export_response(headers=headers, rows=rows, filename=f"audit-{stamp}", fmt=fmt)


@permission_required("admin", "view")
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    state = build_list(
        request,
        events_visible_to(actor),
        columns=AUDIT_COLUMNS,
        default_sort="-occurred_at",
        filterset_class=AuditFilter,
        filterset_kwargs={"actor": actor},
    )
    return render_list(request, "core/settings/audit.html", state)
