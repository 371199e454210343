"""What the sales app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relata.clients.relations import merge_unique_links, register_client_relation
from relata.core.audit import register_event_kinds
from relata.core.handover import register_owned
from relata.core.services.workspaces import register_workspace_setup
from relata.core.timeline import register_timeline_source
from relata.sales.models import Deal, DealContact, DealStatus
from relata.sales.selectors.panels import client_deals_panel
from relata.sales.selectors.timeline import ClientDealsClosed, ClientDealStages
from relata.sales.services.seed import sales_seed
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_event_kinds(
    {
        "deal.created": _("Deal created"),
        "deal.changed": _("Deal changed"),
        "deal.stage_changed": _("Deal moved to another stage"),
        "deal.handed_off": _("Deal handed to another manager"),
        "deal.won": _("Deal won"),
        "deal.lost": _("Deal lost"),
        "deal.reopened": _("Deal reopened"),
        "deal.deleted": _("Deal deleted"),
        "deal.lines_changed": _("Deal lines changed"),
        "pipeline.created": _("Pipeline created"),
        "pipeline.changed": _("Pipeline changed"),
        "pipeline.deleted": _("Pipeline deleted"),
        "pipeline.stages_reordered": _("Stages of a pipeline reordered"),
        "stage.created": _("Stage created"),
        "stage.changed": _("Stage changed"),
        "stage.deleted": _("Stage deleted"),
        "loss_reason.saved": _("Loss reason saved"),
    }
)

register_workspace_setup(sales_seed)
register_timeline_source("clients.client", ClientDealStages())
register_timeline_source("clients.client", ClientDealsClosed())
# Open deals follow their client to the colleague who receives it (the same stable
# choice per client id as the clients themselves); closed ones keep their owner.
register_owned(
    "sales.deal",
    Deal,
    label=_("Open deals"),
    module="sales",
    group_field="client_id",
    transfer=Q(status=DealStatus.OPEN),
)

register_nav(NavItem("deals", _("Deals"), "sales:board", "sales", icon="kanban", order=35))
register_panel(
    "clients.client",
    Panel("sales.deals", "sales/_client_deals.html", client_deals_panel, "sales", column="side", order=5),
)
# A deal's client and contact persons follow a merge into the surviving client.
register_client_relation(Deal, "client", label=_("Deals"))
register_client_relation(
    DealContact, "person", merge=merge_unique_links(DealContact, "deal_id"), label=_("Deals as contact person")
)

from relata.sales import demo as _demo  # noqa: E402, F401  (registers the demo step)
