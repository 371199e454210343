"""The built-in roles every new workspace starts with.

They are ordinary data afterwards: administrators may change their permissions and scope
(but not delete them, so that the defaults can always be found again).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.core.modules import ACTIONS, MODULES

EVERY_ACTION = tuple(ACTIONS)
WORK = ("view", "create", "change")
READ = ("view",)


@dataclass(frozen=True)
class BuiltinRole:
    key: str
    name: Promise
    scope: str
    grants: dict[str, tuple[str, ...]]
    description: Promise

    def permissions(self) -> list[str]:
        return sorted(f"{module}.{action}" for module, actions in self.grants.items() for action in actions)


BUILTIN_ROLES: list[BuiltinRole] = [
    BuiltinRole(
        "administrator",
        _("Administrator"),
        "all",
        {module: EVERY_ACTION for module in MODULES},
        _("Everything, including users, roles, modules and the audit log."),
    ),
    BuiltinRole(
        "head_of_sales",
        _("Head of sales"),
        "team",
        {
            "clients": EVERY_ACTION,
            "activities": EVERY_ACTION,
            "sales": EVERY_ACTION,
            "catalog": READ,
            "marketing": READ,
            "loyalty": READ,
            "analytics": ("view", "export"),
        },
        _("Runs the sales teams: sees and reassigns everything of their team and its sub-teams."),
    ),
    BuiltinRole(
        "sales_manager",
        _("Sales manager"),
        "own",
        {
            "clients": WORK,
            "activities": WORK,
            "sales": WORK,
            "catalog": READ,
            "loyalty": READ,
            "analytics": READ,
        },
        _("Works with their own clients, leads and deals."),
    ),
    BuiltinRole(
        "marketer",
        _("Marketer"),
        "all",
        {
            "clients": ("view", "export", "import"),
            "activities": READ,
            "sales": READ,
            "marketing": EVERY_ACTION,
            "analytics": ("view", "export"),
        },
        _("Campaigns, mailings and segments over the whole client base."),
    ),
    BuiltinRole(
        "service_agent",
        _("Service agent"),
        "all",
        {
            "clients": ("view", "change"),
            "activities": WORK,
            "service": WORK,
            "catalog": READ,
        },
        _("Handles service requests and complaints, installed equipment and maintenance."),
    ),
    BuiltinRole(
        "storekeeper",
        _("Storekeeper"),
        "all",
        {
            "clients": READ,
            "catalog": EVERY_ACTION,
        },
        _("Orders to assemble and ship, stock, purchase requests."),
    ),
    BuiltinRole(
        "analyst",
        _("Analyst"),
        "all",
        {
            "clients": ("view", "export"),
            "activities": READ,
            "sales": ("view", "export"),
            "marketing": ("view", "export"),
            "service": ("view", "export"),
            "catalog": ("view", "export"),
            "loyalty": ("view", "export"),
            "analytics": EVERY_ACTION,
        },
        _("Reads and exports everything for analysis; changes nothing."),
    ),
    BuiltinRole(
        "read_only",
        _("Read-only"),
        "all",
        {module: READ for module in MODULES if module not in ("admin", "integrations")},
        _("Sees the business data, changes nothing."),
    ),
]
BUILTIN_ROLE_KEYS = [role.key for role in BUILTIN_ROLES]
