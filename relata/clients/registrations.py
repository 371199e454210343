"""What the clients app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relata.clients.models import Client, ClientKind
from relata.clients.normalize import format_phone
from relata.clients.selectors.timeline import ClientChanges
from relata.clients.services.statuses import statuses_seed
from relata.core.audit import register_event_kinds
from relata.core.handover import register_owned
from relata.core.models import Membership
from relata.core.services.workspaces import register_workspace_setup
from relata.core.timeline import register_timeline_source
from relata.web.navigation import NavItem, register_nav
from relata.web.search import SearchHit, SearchProvider, register_search

register_event_kinds(
    {
        "client.created": _("Client created"),
        "client.changed": _("Client changed"),
        "client.deleted": _("Client deleted"),
        "client.merged": _("Clients merged"),
        "client.exported": _("Clients exported"),
        "client.bulk_changed": _("Clients changed in bulk"),
        "import.finished": _("Import finished"),
        "import.undone": _("Import undone"),
        "segment.created": _("Segment created"),
        "segment.changed": _("Segment changed"),
        "segment.deleted": _("Segment deleted"),
        "status.created": _("Lifecycle status created"),
        "status.changed": _("Lifecycle status changed"),
        "status.deleted": _("Lifecycle status deleted"),
        "custom_field.created": _("Custom field created"),
        "custom_field.changed": _("Custom field changed"),
        "assignment_rule.created": _("Assignment rule created"),
        "assignment_rule.changed": _("Assignment rule changed"),
        "assignment_rule.deleted": _("Assignment rule deleted"),
    }
)

register_workspace_setup(statuses_seed)
register_timeline_source("clients.client", ClientChanges())

register_nav(NavItem("companies", _("Companies"), "clients:companies", "clients", icon="building", order=10))
register_nav(NavItem("people", _("People"), "clients:people", "clients", icon="person-lines-fill", order=20))
register_nav(NavItem("segments", _("Segments"), "clients:segments", "clients", icon="funnel", order=30))

# A client goes to one colleague with everything of it (group by its own id); later apps
# register their records grouped by the client they belong to.
register_owned(
    "clients.company",
    Client,
    label=_("Companies"),
    module="clients",
    group_field="id",
    transfer=Q(kind=ClientKind.COMPANY),
)
register_owned(
    "clients.person", Client, label=_("People"), module="clients", group_field="id", transfer=Q(kind=ClientKind.PERSON)
)


def _find_clients(actor: Membership, text: str, limit: int) -> list[SearchHit]:
    from relata.clients.selectors.search import search_clients

    hits = []
    for client in search_clients(actor, text, limit=limit):
        details = [
            format_phone(client.primary_phone) if client.primary_phone else "",
            client.primary_email,
            client.inn,
            client.city,
        ]
        hits.append(
            SearchHit(
                title=client.name,
                subtitle=" · ".join(d for d in details if d),
                url=reverse("clients:detail", args=[client.pk]),
                icon="building" if client.kind == ClientKind.COMPANY else "person",
            )
        )
    return hits


register_search(SearchProvider("clients", _("Clients"), "clients", _find_clients, order=10))


# Modules that register at import time: the job handlers (so that a worker, which
# never loads the URLs, knows every job), the merge's relations of this app, and the
# menu entries of the duplicates and settings screens.
from relata.clients import demo as _demo  # noqa: E402, F401  (registers the demo step)
from relata.clients.services import bulk as _bulk_jobs  # noqa: E402, F401
from relata.clients.services import export as _export_jobs  # noqa: E402, F401
from relata.clients.services import imports as _import_jobs  # noqa: E402, F401
from relata.clients.views import duplicates as _duplicate_views  # noqa: E402, F401
from relata.clients.views import settings as _settings_views  # noqa: E402, F401
