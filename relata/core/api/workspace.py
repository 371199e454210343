"""The workspace's module switches (administrators)."""

from django.http import HttpRequest
from ninja import Router

from relata.api.auth import actor_of
from relata.core.access import require
from relata.core.api.schemas import ModuleOut, ModulesIn, ModulesOut
from relata.core.models import Workspace
from relata.core.services.workspaces import workspace_set_modules

router = Router(tags=["workspace"])


def _modules(workspace: Workspace) -> ModulesOut:
    return ModulesOut(modules=ModuleOut.of_workspace(workspace), version=workspace.version)


@router.get("/modules", response=ModulesOut, summary="Modules and whether they are on")
def modules(request: HttpRequest) -> ModulesOut:
    actor = actor_of(request)
    require(actor, "admin", "view")
    return _modules(actor.workspace)


@router.put("/modules", response=ModulesOut, summary="Switch modules on and off")
def modules_set(request: HttpRequest, payload: ModulesIn) -> ModulesOut:
    actor = actor_of(request)
    return _modules(workspace_set_modules(actor, enabled=payload.enabled, version=payload.version))
