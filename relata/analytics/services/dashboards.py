"""Dashboards per role (issue 7, item 7): which widgets a role's members see, in order.
Reading is `analytics.view` (one's own role's dashboard); changing a role's dashboard is
`analytics.change`, checked, versioned (409 when stale) and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.analytics.models import Dashboard
from relata.analytics.reports.widgets import WIDGETS, Widget, default_layout
from relata.core.access import get_visible, require
from relata.core.audit import record_event, register_event_kinds
from relata.core.concurrency import save_versioned
from relata.core.models import Membership, Role
from relata.core.selectors.members import roles_visible_to

MAX_WIDGETS = 12

register_event_kinds({"analytics.dashboard_changed": gettext_lazy("Analytics dashboard changed")})


def layout_of(role: Role) -> tuple[list[str], int | None]:
    """The role's widget keys and the layout's version (None: the default, never saved)."""
    saved = Dashboard.objects.filter(workspace_id=role.workspace_id, role=role).first()
    if saved is None:
        return default_layout(role.key), None
    return list(saved.widgets), saved.version


def dashboard_widgets(actor: Membership) -> list[Widget]:
    """The widgets the actor's dashboard shows: their role's layout, less the widgets of
    modules the actor cannot view (and any no longer registered)."""
    require(actor, "analytics", "view")
    keys, _version = layout_of(actor.role)
    return [WIDGETS[key] for key in keys if key in WIDGETS and actor.can(WIDGETS[key].module, "view")]


def widget_get(actor: Membership, key: str) -> Widget:
    """A widget the actor may compute (404 for an unknown key, 403 without its module)."""
    require(actor, "analytics", "view")
    widget = WIDGETS.get(key)
    if widget is None:
        raise Http404("no such widget")
    if not actor.can(widget.module, "view"):
        raise PermissionDenied(f"{widget.module}.view")
    return widget


def role_for_dashboard(actor: Membership, role_id: Any) -> Role:
    require(actor, "analytics", "change")
    return get_visible(actor, roles_visible_to(actor), role_id)


@transaction.atomic
def dashboard_save(actor: Membership, role_id: Any, *, widgets: Any, version: Any = None) -> Dashboard:
    """Set a role's widgets, in order: known widget keys, each once, at most 12, at least
    one. `version`: the layout's version read (None for a role still on its default)."""
    role = role_for_dashboard(actor, role_id)
    if not isinstance(widgets, list) or not all(isinstance(k, str) for k in widgets):
        raise ValidationError({"widgets": [_("Send a list of widget keys.")]})
    unknown = [k for k in widgets if k not in WIDGETS]
    if unknown:
        message = _("Unknown widgets: %(keys)s.") % {"keys": ", ".join(unknown)}
        raise ValidationError({"widgets": [message]})
    if len(set(widgets)) != len(widgets):
        raise ValidationError({"widgets": [_("Each widget may appear once.")]})
    if not widgets:
        raise ValidationError({"widgets": [_("Choose at least one widget.")]})
    if len(widgets) > MAX_WIDGETS:
        message = _("A dashboard holds at most %(count)d widgets.") % {"count": MAX_WIDGETS}
        raise ValidationError({"widgets": [message]})
    saved = Dashboard.objects.select_for_update().filter(workspace_id=actor.workspace_id, role=role).first()
    before, _version = layout_of(role)
    if saved is None:
        saved = Dashboard.objects.create(workspace_id=actor.workspace_id, role=role, widgets=widgets)
    else:
        saved.widgets = widgets
        expected = saved.version if version in (None, "") else _whole(version)
        save_versioned(saved, expected_version=expected, fields=["widgets"])
    if before != widgets:
        record_event(
            kind="analytics.dashboard_changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=role,
            changes={"widgets": [before, widgets]},
        )
    return saved


def _whole(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"version": [_("Reload the page and save again.")]}) from None
