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
from relata.sales.selectors.search import find_deals, find_leads
from relata.sales.selectors.timeline import ClientDealsClosed, ClientDealStages
from relata.sales.services.seed import sales_seed
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel
from relata.web.search import SearchProvider, register_search

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
        "deal.exported": _("Deals exported"),
        "lead.exported": _("Leads exported"),
        "lead.imported": _("Leads imported from a file"),
        "deal.imported": _("Deals imported from a file"),
        "pipeline.created": _("Pipeline created"),
        "pipeline.changed": _("Pipeline changed"),
        "pipeline.deleted": _("Pipeline deleted"),
        "pipeline.stages_reordered": _("Stages of a pipeline reordered"),
        "stage.created": _("Stage created"),
        "stage.changed": _("Stage changed"),
        "stage.deleted": _("Stage deleted"),
        "loss_reason.saved": _("Loss reason saved"),
        "sales_plan.created": _("Sales plan created"),
        "sales_plan.changed": _("Sales plan changed"),
        "sales_plan.deleted": _("Sales plan deleted"),
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
register_nav(NavItem("documents", _("Documents"), "sales:documents", "sales", icon="file-earmark-text", order=37))
register_nav(NavItem("sales_plans", _("Sales plans"), "sales:sales_plans", "sales", icon="bullseye", order=36))
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

# Leads and web forms.
register_event_kinds(
    {
        "lead.created": _("Lead created"),
        "lead.changed": _("Lead changed"),
        "lead.qualified": _("Lead qualified into a client and a deal"),
        "lead.rejected": _("Lead rejected"),
        "lead.deleted": _("Lead deleted"),
        "webform.created": _("Web form created"),
        "webform.changed": _("Web form changed"),
        "webform.key_regenerated": _("Web form key regenerated"),
        "webform.deleted": _("Web form deleted"),
    }
)
register_nav(NavItem("leads", _("Leads"), "sales:leads", "sales", icon="inbox", order=34))

from relata.sales.models import Lead, LeadStatus  # noqa: E402

# Open leads follow their owner's clients on a hand-over; a lead's client follows a merge.
register_owned(
    "sales.lead",
    Lead,
    label=_("Open leads"),
    module="sales",
    group_field="client_id",
    transfer=Q(status__in=[LeadStatus.NEW, LeadStatus.IN_WORK]),
)
register_client_relation(Lead, "client", label=_("Leads"))

register_search(SearchProvider("deals", _("Deals"), "sales", find_deals, order=20))
register_search(SearchProvider("leads", _("Leads"), "sales", find_leads, order=25))

# Sales documents.
register_event_kinds(
    {
        "document.issued": _("Document issued"),
        "document.regenerated": _("Document draft rendered again"),
        "document.state_changed": _("Document state changed"),
        "document.sent": _("Document sent by e-mail"),
        "document_template.saved": _("Document template saved"),
        "document_template.reset": _("Document template reset to the built-in one"),
        "seller_details.saved": _("Seller details saved"),
    }
)

from relata.sales.models import SalesDocument  # noqa: E402
from relata.sales.selectors.timeline import ClientDocuments, ClientLeads  # noqa: E402

register_client_relation(SalesDocument, "client", label=_("Sales documents"))
register_timeline_source("clients.client", ClientDocuments())
register_timeline_source("clients.client", ClientLeads())

# "Clients with an open deal in stage X" in client filters and segments.
from relata.clients.fields import register_client_filters  # noqa: E402
from relata.sales.selectors.segments import sales_client_filters  # noqa: E402

register_client_filters(sales_client_filters)
