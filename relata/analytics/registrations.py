"""What the analytics app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relata.analytics.models import ClientClass
from relata.analytics.reports.tabs import ReportTab, register_report_tab
from relata.analytics.selectors.classes import client_classes_panel
from relata.analytics.services import recompute as _recompute  # noqa: F401  (registers the job kind)
from relata.clients.relations import register_client_relation
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_nav(NavItem("analytics", _("Analytics"), "analytics:classes", "analytics", icon="graph-up", order=70))
register_report_tab(ReportTab("classes", _("Client classes"), "analytics:classes", order=10))
register_report_tab(ReportTab("sales", _("Sales"), "analytics:sales", order=30))
register_report_tab(ReportTab("lifetime", _("Lifetime value"), "analytics:lifetime", order=40))
register_panel(
    "clients.client",
    Panel(
        "analytics.classes", "analytics/_client_classes.html", client_classes_panel, "analytics", column="side", order=8
    ),
)


def _drop_absorbed_class(actor: Any, survivor: Any, absorbed: Any) -> int:
    """A merged-away client's classes describe purchases that now belong to the survivor:
    they are dropped, and the survivor's are right again at the next recomputation."""
    deleted, _by_model = ClientClass.objects.filter(client=absorbed).delete()
    return deleted


register_client_relation(ClientClass, "client", merge=_drop_absorbed_class, label=_("Client classes (ABC, XYZ, RFM)"))
