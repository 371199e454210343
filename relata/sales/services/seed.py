"""What every workspace starts with in sales: a pipeline with the usual stages and the
built-in loss reasons (idempotent; run when a workspace is created and by a migration
for the workspaces that existed before sales)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from relata.core.models import Workspace
from relata.sales.models import BUILTIN_LOSS_REASONS, LossReason, Pipeline, Stage


def default_stages() -> list[tuple[str, int]]:
    """(name, probability %) of the default pipeline, in the active language."""
    return [
        (pgettext("deal stage", "New"), 10),
        (pgettext("deal stage", "Qualification"), 20),
        (pgettext("deal stage", "Commercial offer"), 40),
        (pgettext("deal stage", "Negotiation"), 60),
        (pgettext("deal stage", "Contract and invoice"), 80),
    ]


def sales_seed(workspace: Workspace | int) -> None:
    workspace_obj = workspace if isinstance(workspace, Workspace) else Workspace.objects.get(pk=workspace)
    if not LossReason.objects.filter(workspace=workspace_obj).exists():
        LossReason.objects.bulk_create(
            [
                LossReason(workspace=workspace_obj, key=key, position=n * 10)
                for n, (key, _name) in enumerate(BUILTIN_LOSS_REASONS)
            ],
            ignore_conflicts=True,
        )
    if Pipeline.objects.filter(workspace=workspace_obj).exists():
        return
    # Names are stored, not translated when shown: the workspace renames them freely.
    with translation.override(workspace_obj.language or "ru"):
        pipeline = Pipeline.objects.create(workspace=workspace_obj, name=_("Sales"), position=10)
        Stage.objects.bulk_create(
            [
                Stage(workspace=workspace_obj, pipeline=pipeline, name=name, probability=probability, position=n * 10)
                for n, (name, probability) in enumerate(default_stages())
            ]
        )
