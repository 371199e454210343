"""The platform's entries in the administration menu and the global search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relata.core.models import Membership
from relata.core.selectors.members import members_search
from relata.web.navigation import NavItem, register_admin_nav
from relata.web.search import SearchHit, SearchProvider, register_search

register_admin_nav(NavItem("workspace", _("Workspace"), "core:workspace", "admin", icon="building-gear", order=5))
register_admin_nav(NavItem("members", _("Members"), "core:members", "admin", icon="people", order=10))
register_admin_nav(NavItem("teams", _("Teams"), "core:teams", "admin", icon="diagram-3", order=20))
register_admin_nav(NavItem("roles", _("Roles and permissions"), "core:roles", "admin", icon="shield-lock", order=30))
register_admin_nav(NavItem("modules", _("Modules"), "core:modules", "admin", icon="toggles", order=40))
register_admin_nav(
    NavItem("handover", _("Hand-over"), "core:handover", "admin", action="assign", icon="arrow-left-right", order=50)
)
register_admin_nav(NavItem("audit", _("Audit log"), "core:audit", "admin", icon="journal-text", order=60))


def _find_colleagues(actor: Membership, text: str, limit: int) -> list[SearchHit]:
    hits = []
    can_manage = actor.can("admin", "view")
    for member in members_search(actor, text).order_by("user__full_name")[:limit]:
        url = reverse("core:member_edit", args=[member.user_id]) if can_manage else f"mailto:{member.user.email}"
        subtitle = " · ".join(
            p for p in [member.user.email, member.title, member.team.name if member.team else ""] if p
        )
        hits.append(SearchHit(title=member.user.full_name, subtitle=subtitle, url=url, icon="person-badge"))
    return hits


register_search(SearchProvider("colleagues", _("Colleagues"), None, _find_colleagues, order=900))
