"""The workspace's module switches (administrators)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from relata.api.auth import actor_of
from relata.core.access import require
from relata.core.api.schemas import ModuleOut, ModulesIn, ModulesOut
from relata.core.models import Workspace
from relata.core.services.workspaces import SETTINGS_FIELDS, workspace_set_modules, workspace_update_settings

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


class WorkspaceSettingsOut(Schema):
    id: int
    name: str
    slug: str
    language: str
    time_zone: str
    default_currency: str
    default_phone_region: str
    version: int


class WorkspaceSettingsPatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, max_length=200)
    language: str | None = None
    time_zone: str | None = None
    default_currency: str | None = None
    default_phone_region: str | None = None


@router.get("", response=WorkspaceSettingsOut, summary="The workspace's name and defaults")
def workspace_get(request: HttpRequest) -> Workspace:
    actor = actor_of(request)
    return actor.workspace


@router.patch("", response=WorkspaceSettingsOut, summary="Change the workspace's name and defaults")
def workspace_patch(request: HttpRequest, payload: WorkspaceSettingsPatch) -> Workspace:
    actor = actor_of(request)
    workspace = actor.workspace
    data = payload.dict(exclude_unset=True)
    values = {name: data[name] if data.get(name) is not None else getattr(workspace, name) for name in SETTINGS_FIELDS}
    return workspace_update_settings(actor, version=payload.version, **values)
