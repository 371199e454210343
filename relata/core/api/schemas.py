from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from relata.core.audit import EVENT_KINDS
from relata.core.models import ApiToken, Event, Job, Membership, Role, Workspace
from relata.core.modules import MODULES


class Ref(Schema):
    id: int
    name: str


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    default_currency: str


class MeOut(Schema):
    id: int = Field(description="The user's id (owner fields of records refer to it).")
    email: str
    full_name: str
    language: str
    time_zone: str
    workspace: WorkspaceOut
    role: Ref
    scope: str
    team: Ref | None
    permissions: list[str]
    enabled_modules: list[str]

    @staticmethod
    def from_actor(actor: Membership) -> MeOut:
        return MeOut(
            id=actor.user_id,
            email=actor.user.email,
            full_name=actor.user.full_name,
            language=actor.user.language,
            time_zone=actor.user.time_zone or actor.workspace.time_zone,
            workspace=WorkspaceOut.model_validate(actor.workspace, from_attributes=True),
            role=Ref(id=actor.role_id, name=actor.role.display_name),
            scope=actor.scope,
            team=Ref(id=actor.team.pk, name=actor.team.name) if actor.team else None,
            permissions=sorted(p for p in actor.role.permissions if actor.workspace.module_enabled(p.split(".")[0])),
            enabled_modules=[m for m in actor.workspace.enabled_modules],
        )


class MePatch(Schema):
    full_name: str | None = Field(None, max_length=150)
    language: str | None = None
    time_zone: str | None = Field(None, max_length=64)


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    expires_at: dt.datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool

    @staticmethod
    def resolve_active(token: ApiToken) -> bool:
        return token.is_usable


class TokenCreated(TokenOut):
    secret: str = Field(description="Shown once: store it now, it cannot be read again.")


class UserOut(Schema):
    """A member of the workspace, identified by the user's id."""

    id: int = Field(..., alias="user_id", description="The user's id.")
    email: str = Field(..., alias="user.email")
    full_name: str = Field(..., alias="user.full_name")
    role: Ref
    team: Ref | None
    title: str
    is_active: bool
    last_login: dt.datetime | None = Field(..., alias="user.last_login")
    version: int

    @staticmethod
    def resolve_role(member: Membership) -> dict[str, Any]:
        return {"id": member.role_id, "name": member.role.display_name}

    @staticmethod
    def resolve_team(member: Membership) -> dict[str, Any] | None:
        return {"id": member.team.pk, "name": member.team.name} if member.team else None


class UserIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = Field("", max_length=150)
    role_id: int
    team_id: int | None = None
    title: str = Field("", max_length=100)
    send_invitation: bool = Field(True, description="E-mail a new user a link to set their password.")


class UserPatch(Schema):
    version: int = Field(..., ge=1, description="The version you read; a stale one gives 409.")
    role_id: int | None = None
    team_id: int | None = None
    title: str | None = Field(None, max_length=100)


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None
    description: str
    version: int


class TeamIn(Schema):
    name: str = Field(..., max_length=100)
    parent_id: int | None = None
    description: str = Field("", max_length=300)


class TeamPatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, max_length=100)
    parent_id: int | None = None
    description: str | None = Field(None, max_length=300)


class RoleOut(Schema):
    id: int
    key: str = Field(description="Built-in roles' fixed key; empty for custom roles.")
    name: str
    description: str
    scope: str
    permissions: list[str]
    is_builtin: bool
    version: int

    @staticmethod
    def resolve_name(role: Role) -> str:
        return role.display_name


class RoleIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=300)
    scope: str = Field(..., description="own, team or all")
    permissions: list[str] = Field(default_factory=list, description='"module.action" codes')


class RolePatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=300)
    scope: str | None = None
    permissions: list[str] | None = None


class ModuleOut(Schema):
    key: str
    label: str
    description: str
    switchable: bool
    enabled: bool

    @staticmethod
    def of_workspace(workspace: Workspace) -> list[ModuleOut]:
        return [
            ModuleOut(
                key=m.key,
                label=str(m.label),
                description=str(m.description),
                switchable=m.switchable,
                enabled=workspace.module_enabled(m.key),
            )
            for m in MODULES.values()
        ]


class ModulesOut(Schema):
    modules: list[ModuleOut]
    version: int


class ModulesIn(Schema):
    enabled: list[str] = Field(..., description="Keys of the switchable modules to keep on.")
    version: int = Field(..., ge=1)


class ActionOut(Schema):
    key: str
    label: str


class PermissionCatalogue(Schema):
    modules: list[ModuleOut]
    actions: list[ActionOut]


class EventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_label: str
    kind: str
    kind_label: str
    target_type: str | None
    target_id: int | None
    target_repr: str
    changes: dict[str, Any]
    data: dict[str, Any]
    ip_address: str | None

    @staticmethod
    def resolve_kind_label(event: Event) -> str:
        return str(EVENT_KINDS.get(event.kind, event.kind))

    @staticmethod
    def resolve_target_type(event: Event) -> str | None:
        if event.target_type is None:
            return None
        return f"{event.target_type.app_label}.{event.target_type.model}"


class HandoverIn(Schema):
    from_user_id: int
    to_user_ids: list[int] = Field(..., min_length=1)
    kinds: list[str] | None = Field(None, description="Keys of the owned kinds; all when omitted.")
    deactivate: bool = False


class OwnedKindOut(Schema):
    key: str
    label: str
    module: str
    count: int


class JobOut(Schema):
    id: int
    kind: str
    state: str
    progress_done: int
    progress_total: int
    percent: int
    message: str
    result: dict[str, Any]
    error: str
    created_by_id: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_percent(job: Job) -> int:
        return job.percent


class TeamFilter(Schema):
    parent_id: int | None = None


class UserFilter(Schema):
    q: str | None = Field(None, max_length=100, description="Fragment of name or e-mail.")
    role_id: int | None = None
    team_id: int | None = None
    is_active: bool | None = None

    @field_validator("q")
    @classmethod
    def strip(cls, value: str | None) -> str | None:
        return value.strip() if value else value


class EventFilter(Schema):
    actor_id: int | None = None
    kind: str | None = None
    target_type: str | None = Field(None, description='"app.model", e.g. "core.role"')
    target_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
