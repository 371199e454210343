"""The navigation: each app registers its entries; an entry shows only when its module
is switched on and the member's role may view it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.core.models import Membership


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    module: str | None  # None: every member
    action: str = "view"
    icon: str = "circle"
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allowed(self, actor: Membership) -> bool:
        return self.module is None or actor.can(self.module, self.action)


_MAIN: dict[str, NavItem] = {}
_ADMIN: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> None:
    _MAIN[item.key] = item


def register_admin_nav(item: NavItem) -> None:
    _ADMIN[item.key] = item


def nav_items(actor: Membership) -> list[NavItem]:
    return sorted((i for i in _MAIN.values() if i.allowed(actor)), key=lambda i: i.order)


def admin_items(actor: Membership) -> list[NavItem]:
    return sorted((i for i in _ADMIN.values() if i.allowed(actor)), key=lambda i: i.order)


register_nav(NavItem("home", _("Home"), "web:home", None, icon="house", order=0))
