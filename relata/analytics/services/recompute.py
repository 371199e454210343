"""Storing the classes: the recompute service, its job and the settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.analytics.models import AnalyticsSettings, ClientClass
from relata.analytics.services.classes import Period, Thresholds, add_months, client_measures
from relata.analytics.services.classes_sql import store_classes
from relata.core.access import require
from relata.core.audit import diff, record_event, register_event_kinds, snapshot
from relata.core.concurrency import save_versioned
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, JobState, Membership, Workspace

JOB_KIND = "analytics.recompute"
MAX_MONTHS = 36
SETTINGS_FIELDS = ["abc_a", "abc_b", "xyz_x", "xyz_y", "period_months"]

register_event_kinds({"analytics.settings_changed": gettext_lazy("Analytics thresholds changed")})


def settings_of(workspace: Workspace) -> AnalyticsSettings:
    """The workspace's settings (the defaults, unsaved, until someone changes them)."""
    found = AnalyticsSettings.objects.filter(workspace_id=workspace.pk).first()
    if found is not None:
        return found
    defaults = AnalyticsSettings(workspace=workspace)
    for name in ("abc_a", "abc_b", "xyz_x", "xyz_y"):  # as a saved row reads back: 80.00
        setattr(defaults, name, Decimal(getattr(defaults, name)).quantize(Decimal("0.01")))
    return defaults


def thresholds_of(settings: AnalyticsSettings) -> Thresholds:
    return Thresholds(abc_a=settings.abc_a, abc_b=settings.abc_b, xyz_x=settings.xyz_x, xyz_y=settings.xyz_y)


def clean_period(*, period_end: Any = None, months: Any = None, default_months: int = 12) -> Period:
    """The period of `months` whole calendar months ending before `period_end` (the first
    day of a month, at most the first of next month; default: the first of this month)."""
    errors: dict[str, list[ValidationError]] = {}
    this_month = timezone.localdate().replace(day=1)
    end = this_month
    if period_end not in (None, ""):
        try:
            end = period_end if isinstance(period_end, dt.date) else dt.date.fromisoformat(str(period_end))
        except ValueError:
            errors["period_end"] = [ValidationError(_("Enter a date as YYYY-MM-DD."))]
        else:
            if end.day != 1:
                errors["period_end"] = [ValidationError(_("The period ends on the first day of a month."))]
            elif end > add_months(this_month, 1):
                errors["period_end"] = [ValidationError(_("The period cannot end after the current month."))]
    count = default_months
    if months not in (None, ""):
        try:
            count = int(months)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= MAX_MONTHS:
            errors["months"] = [ValidationError(_("Enter a number of months from 1 to %(max)s.") % {"max": MAX_MONTHS})]
    if errors:
        raise ValidationError(errors)
    return Period(start=add_months(end, -count), end=end)


@transaction.atomic
def classes_recompute(
    workspace: Workspace, *, period_end: dt.date | str | None = None, months: int | None = None
) -> dict[str, Any]:
    """Replace the workspace's client classes with those of the period (validated by
    `clean_period`; the months default to the workspace's settings). One transaction:
    readers see the old rows or the new ones, never a mix. Idempotent."""
    settings = settings_of(workspace)
    period = clean_period(period_end=period_end, months=months, default_months=settings.period_months)
    thresholds = thresholds_of(settings)
    now = timezone.now()
    ClientClass.objects.filter(workspace_id=workspace.pk).delete()  # one DELETE: nothing cascades from the rows
    if connection.vendor == "postgresql":
        count = store_classes(workspace, period, thresholds, now)
    else:  # SQLite: exact money needs the Python path (see classes_sql)
        measures = client_measures(workspace, period, thresholds)
        ClientClass.objects.bulk_create(
            [
                ClientClass(
                    workspace_id=workspace.pk,
                    client_id=m.client_id,
                    abc=m.abc,
                    xyz=m.xyz,
                    variation=m.variation,
                    r=m.r,
                    f=m.f,
                    m=m.m,
                    rfm_segment=m.rfm_segment,
                    revenue=m.revenue,
                    orders=m.orders,
                    last_purchase=m.last_purchase,
                    recency_days=m.recency_days,
                    period_start=period.start,
                    period_end=period.end,
                    computed_at=now,
                )
                for m in measures
            ],
            batch_size=1000,
        )
        count = len(measures)
    return {"clients": count, "period_start": period.start.isoformat(), "period_end": period.end.isoformat()}


def classes_recompute_start(actor: Membership, *, values: dict[str, Any] | None = None) -> Job:
    """Start a recomputation as a job (`analytics.change`). The period is validated here
    (a bad one is refused before anything is recorded); a recomputation of the workspace
    still waiting or running is returned instead of starting a second one."""
    from relata.core.services.jobs import job_start

    require(actor, "analytics", "change")
    values = values or {}
    settings = settings_of(actor.workspace)
    period = clean_period(
        period_end=values.get("period_end"), months=values.get("months"), default_months=settings.period_months
    )
    running = (
        Job.objects.filter(
            workspace_id=actor.workspace_id, kind=JOB_KIND, state__in=[JobState.PENDING, JobState.RUNNING]
        )
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    months = len(period.months)
    return job_start(actor, kind=JOB_KIND, params={"period_end": period.end.isoformat(), "months": months}, total=1)


@job_handler(JOB_KIND, gettext_lazy("Recomputation of client classes"))
def classes_recompute_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    require(actor, "analytics", "change")
    context.progress(0, 1, _("Computing the classes…"), force=True)
    params = context.params
    return classes_recompute(actor.workspace, period_end=params.get("period_end"), months=params.get("months"))


def classes_recompute_all() -> int:
    """Recompute every workspace with analytics switched on (Celery beat, daily).
    Returns the number of workspaces done."""
    done = 0
    for workspace in Workspace.objects.order_by("pk"):
        if workspace.module_enabled("analytics"):
            classes_recompute(workspace)
            done += 1
    return done


def _percent(values: dict[str, Any], name: str, current: Decimal, errors: dict[str, list[ValidationError]]) -> Decimal:
    raw = values.get(name)
    if raw in (None, ""):
        return current
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors[name] = [ValidationError(_("Enter a number."))]
        return current
    if not value.is_finite() or not Decimal(0) < value < Decimal(1000):
        errors[name] = [ValidationError(_("Enter a percentage above 0 and below 1000."))]
        return current
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def analytics_settings_update(actor: Membership, *, values: dict[str, Any]) -> AnalyticsSettings:
    """Change the thresholds and the period (`analytics.change`): `abc_a` + `abc_b` below
    100 (C keeps the rest), `xyz_x` ≤ `xyz_y`, `period_months` 1–36.
    The stored classes change at the next recomputation."""
    require(actor, "analytics", "change")
    settings = settings_of(actor.workspace)
    if settings.pk is not None:
        settings = AnalyticsSettings.objects.select_for_update().get(pk=settings.pk)
    errors: dict[str, list[ValidationError]] = {}
    abc_a = _percent(values, "abc_a", settings.abc_a, errors)
    abc_b = _percent(values, "abc_b", settings.abc_b, errors)
    xyz_x = _percent(values, "xyz_x", settings.xyz_x, errors)
    xyz_y = _percent(values, "xyz_y", settings.xyz_y, errors)
    if "abc_a" not in errors and "abc_b" not in errors and abc_a + abc_b >= 100:
        errors["abc_b"] = [ValidationError(_("A and B together must stay below 100 %, so that C has a share."))]
    if "xyz_x" not in errors and "xyz_y" not in errors and xyz_x > xyz_y:
        errors["xyz_y"] = [ValidationError(_("The Y limit cannot be below the X limit."))]
    months = settings.period_months
    if values.get("period_months") not in (None, ""):
        try:
            months = int(values["period_months"])
        except (TypeError, ValueError):
            months = 0
        if not 1 <= months <= MAX_MONTHS:
            errors["period_months"] = [
                ValidationError(_("Enter a number of months from 1 to %(max)s.") % {"max": MAX_MONTHS})
            ]
    if errors:
        raise ValidationError(errors)
    before = snapshot(settings, SETTINGS_FIELDS)
    settings.abc_a, settings.abc_b, settings.xyz_x, settings.xyz_y = abc_a, abc_b, xyz_x, xyz_y
    settings.period_months = months
    if settings.pk is None:
        settings.save()
    else:  # a save based on what another user has changed since is refused (409)
        expected = values.get("version")
        version = settings.version if expected in (None, "") else _whole(expected)
        save_versioned(settings, expected_version=version, fields=SETTINGS_FIELDS)
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if changes:
        record_event(kind="analytics.settings_changed", workspace=actor.workspace, actor=actor.user, changes=changes)
    return settings


def _whole(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"version": [ValidationError(_("Reload the page and save again."))]}) from None
