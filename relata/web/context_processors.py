from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from relata.core.selectors.notifications import latest_notification_id
from relata.web.navigation import admin_items, nav_items


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: navigation, the actor, workspaces, languages."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None, "nav_items": [], "admin_nav_items": [], "LANGUAGES": settings.LANGUAGES}
    return {
        "actor": actor,
        "nav_items": nav_items(actor),
        "admin_nav_items": admin_items(actor),
        "memberships": getattr(request, "memberships", []),
        # Pop-ups of the bell start after the newest notification the page was made with
        # (a callable: read only by the layout, not by every fragment rendered with a request).
        "notifications_after": functools.partial(latest_notification_id, actor),
        "LANGUAGES": settings.LANGUAGES,
    }
