"""Panels that apps add to a record's page (the client card gets "Tasks" from the
activities app, later "Deals" from sales…) without the record's app knowing them.

    register_panel("clients.client", Panel("tasks", "activities/_client_tasks.html", context=open_tasks, ...))

The record's view calls `panels_for(actor, record)` and its template includes each
panel's template with the panel's context under `panel`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from relata.core.models import Membership


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[Membership, Model], dict[str, Any]]
    module: str
    column: str = "side"  # "side" (next to the profile) or "main" (above the timeline)
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    key: str
    template: str
    column: str
    data: dict[str, Any]


_PANELS: dict[str, dict[str, Panel]] = {}


def register_panel(model_label: str, panel: Panel) -> None:
    _PANELS.setdefault(model_label.lower(), {})[panel.key] = panel


def panels_for(actor: Membership, record: Model) -> list[ShownPanel]:
    """The panels of the record's page the actor may see (their module's view permission)."""
    panels = sorted(_PANELS.get(record._meta.label_lower, {}).values(), key=lambda p: p.order)
    return [
        ShownPanel(p.key, p.template, p.column, p.context(actor, record)) for p in panels if actor.can(p.module, "view")
    ]
