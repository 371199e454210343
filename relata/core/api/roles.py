"""Roles and their permissions (administrators)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import get_visible, require
from relata.core.api.schemas import ActionOut, ModuleOut, PermissionCatalogue, RoleIn, RoleOut, RolePatch
from relata.core.models import Role
from relata.core.modules import ACTIONS
from relata.core.selectors.members import roles_visible_to
from relata.core.services.roles import role_create, role_delete, role_update

router = Router(tags=["roles"])


@router.get("/roles", response=list[RoleOut], summary="Roles of the workspace")
@paginate(PagePagination)
def role_list(request: HttpRequest) -> QuerySet[Role]:
    actor = actor_of(request)
    require(actor, "admin", "view")
    return roles_visible_to(actor).order_by("id")


@router.get("/roles/{role_id}", response=RoleOut, summary="One role")
def role_detail(request: HttpRequest, role_id: int) -> Role:
    return get_visible(actor_of(request), Role, role_id)


@router.post("/roles", response={201: RoleOut}, summary="Create a custom role")
def role_new(request: HttpRequest, payload: RoleIn) -> Status:
    role = role_create(
        actor_of(request),
        name=payload.name,
        description=payload.description,
        scope=payload.scope,
        permissions=payload.permissions,
    )
    return Status(201, role)


@router.patch("/roles/{role_id}", response=RoleOut, summary="Change a role's name, scope or permissions")
def role_change(request: HttpRequest, role_id: int, payload: RolePatch) -> Role:
    actor = actor_of(request)
    role = get_visible(actor, Role, role_id, for_write=True)
    data = payload.dict(exclude_unset=True)
    return role_update(
        actor,
        role.pk,
        version=payload.version,
        name=data["name"] if data.get("name") is not None else role.name,
        description=data["description"] if data.get("description") is not None else role.description,
        scope=data.get("scope") or role.scope,
        permissions=data["permissions"] if data.get("permissions") is not None else role.permissions,
    )


@router.delete("/roles/{role_id}", response={204: None}, summary="Delete a custom role nobody has")
def role_remove(request: HttpRequest, role_id: int) -> Status:
    role_delete(actor_of(request), role_id)
    return Status(204, None)


@router.get("/permissions", response=PermissionCatalogue, summary="Modules and actions permissions are made of")
def permission_catalogue(request: HttpRequest) -> PermissionCatalogue:
    actor = actor_of(request)
    return PermissionCatalogue(
        modules=ModuleOut.of_workspace(actor.workspace),
        actions=[ActionOut(key=key, label=str(label)) for key, label in ACTIONS.items()],
    )
