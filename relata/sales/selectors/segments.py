"""What sales adds to the client filters and segments: "has an open deal in stage X"
(relata.clients.fields.register_client_filters)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from relata.clients.fields import RELATED, ClientField
from relata.core.models import Workspace
from relata.sales.models import Deal, DealStatus, Stage


def _open_deal_in(stage_ids: list[int]) -> Q:
    deals = Deal.objects.filter(client_id=OuterRef("pk"), status=DealStatus.OPEN, stage_id__in=stage_ids)
    return Q(Exists(deals))


def sales_client_filters(workspace_id: int, kind: str) -> list[ClientField]:
    """The stages of the workspace's pipelines as choices (inactive pipelines too: their
    open deals still count), while the sales module is on."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None or not workspace.module_enabled("sales"):
        return []
    stages = Stage.objects.filter(workspace_id=workspace_id).select_related("pipeline")
    choices = tuple(
        (s.pk, f"{s.pipeline.name}: {s.name}") for s in stages.order_by("pipeline__position", "pipeline_id", "position")
    )
    return [
        ClientField(
            "deals.open_in_stage",
            _("Open deal in stage"),
            RELATED,
            sortable=False,
            importable=False,
            choices=choices,
            condition=_open_deal_in,
        )
    ]
