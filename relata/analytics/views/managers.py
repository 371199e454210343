"""The manager performance page (/analytics/managers/): sales, plan, activities, tasks
and first response to leads per manager, within the actor's scope."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from relata.analytics.reports.managers import managers_report
from relata.analytics.views.reports import report_view

FILTERS = ["manager", "segment", "channel", "pipeline"]

managers = report_view(managers_report, title=_("Manager performance"), tab="managers", filters=FILTERS)

urls = [path("managers/", managers, name="managers")]
