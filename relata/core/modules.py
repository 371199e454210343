"""The modules of Relata and the actions a role may be granted in each.

A permission is the pair (module, action), written "module.action". Modules marked
`switchable` can be turned off per workspace; a switched-off module disappears from the
navigation and its pages and API answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VIEW = "view"
CREATE = "create"
CHANGE = "change"
DELETE = "delete"
EXPORT = "export"
IMPORT = "import"
ASSIGN = "assign"

ACTIONS: dict[str, Promise] = {
    VIEW: _("View"),
    CREATE: _("Create"),
    CHANGE: _("Change"),
    DELETE: _("Delete"),
    EXPORT: _("Export"),
    IMPORT: _("Import"),
    ASSIGN: _("Assign"),
}


@dataclass(frozen=True)
class Module:
    key: str
    label: Promise
    description: Promise
    switchable: bool = True


_MODULE_LIST = [
    Module("clients", _("Clients"), _("Companies, people, segments, import and export."), switchable=False),
    Module(
        "activities", _("Activities and tasks"), _("Calls, meetings, notes, tasks and reminders."), switchable=False
    ),
    Module("sales", _("Sales"), _("Leads, pipelines, deals, sales documents and plans.")),
    Module("marketing", _("Marketing"), _("Campaigns, mailings and consent.")),
    Module("service", _("Service"), _("Service requests, installed equipment and surveys.")),
    Module("catalog", _("Catalog and stock"), _("Products, price lists, orders, warehouses and stock.")),
    Module("loyalty", _("Loyalty"), _("Loyalty programmes, cards and bonus points.")),
    Module("analytics", _("Analytics"), _("ABC, XYZ, RFM, funnel, forecasts and dashboards.")),
    Module("integrations", _("Integrations"), _("Web forms, telephony, e-mail and webhooks.")),
    Module("admin", _("Administration"), _("Users, teams, roles, modules and the audit log."), switchable=False),
]
MODULES: dict[str, Module] = {m.key: m for m in _MODULE_LIST}
SWITCHABLE_MODULES = [m.key for m in _MODULE_LIST if m.switchable]

ALL_PERMISSIONS: frozenset[str] = frozenset(f"{m}.{a}" for m in MODULES for a in ACTIONS)


def permission_code(module: str, action: str) -> str:
    return f"{module}.{action}"


def is_valid_permission(code: str) -> bool:
    return code in ALL_PERMISSIONS
