"""What the analytics app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relata.analytics.selectors.classes import client_classes_panel
from relata.analytics.services import recompute as _recompute  # noqa: F401  (registers the job kind)
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_nav(NavItem("analytics", _("Analytics"), "analytics:classes", "analytics", icon="graph-up", order=70))
register_panel(
    "clients.client",
    Panel(
        "analytics.classes", "analytics/_client_classes.html", client_classes_panel, "analytics", column="side", order=8
    ),
)
