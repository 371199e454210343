"""Permission-matrix entries of the platform's pages and API operations."""

from __future__ import annotations

from typing import Any

from relata.core.models import Role, Team
from relata.core.services.jobs import job_start
from relata.core.services.tokens import token_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page


def extend_world(world: World) -> None:
    p = world.p
    ws = p.admin.workspace
    world.extra["empty_team"] = Team.objects.create(workspace=ws, name="Empty")
    world.extra["custom_role"] = Role.objects.create(
        workspace=ws, name="Spare role", scope="own", permissions=["clients.view"]
    )
    world.extra["job"] = job_start(p.manager1, kind="core.handover", params={})
    world.extra["token"], _secret = token_create(p.manager1, name="matrix")
    world.extra["spare_user_id"] = p.manager2.user_id


def team_form(w: World) -> dict[str, Any]:
    return {"name": "North 2", "parent": w.p.sales.pk, "description": "", "version": w.p.north.version}


def role_form(w: World) -> dict[str, Any]:
    return {
        "name": "",
        "description": "",
        "scope": "own",
        "permissions": ["clients.view"],
        "version": w.p.readonly.role.version,
    }


PAGES: dict[str, Rule] = {
    "web:home": page("member"),
    "web:search": page("member", kwargs=lambda w: {}),
    "web:notifications": page("member"),
    "web:set_language": form("public", lambda w: {"language": "en"}),
    "web:favicon": page("public", ok=301),
    "web:switch_workspace": form("member", lambda w: {"workspace": w.p.admin.workspace_id}),
    "core:login": page(
        "custom",
        expect={
            "anonymous": 200,
            "admin": 302,
            "head": 302,
            "manager1": 302,
            "manager2": 302,
            "readonly": 302,
            "other": 302,
        },
    ),
    "core:logout": form("public", lambda w: {}),
    "core:no_access": page(
        "custom",
        expect={
            "anonymous": 403,
            "admin": 403,
            "head": 403,
            "manager1": 403,
            "manager2": 403,
            "readonly": 403,
            "other": 403,
        },
    ),
    "core:password_change": page("member"),
    "core:password_reset": page("public"),
    "core:password_reset_done": page("public"),
    "core:password_reset_confirm": page("public", kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "core:password_reset_complete": page("public"),
    "core:profile": page("member"),
    "core:tokens": page("member"),
    "core:token_revoke": form(
        "custom", lambda w: {}, object_route=True, kwargs=lambda w: {"pk": w.token.pk}, expect={"manager1": 302}
    ),
    "core:jobs": page("member"),
    "core:job_detail": page(
        "custom", object_route=True, kwargs=lambda w: {"pk": w.job.pk}, expect={"admin": 200, "manager1": 200}
    ),
    "core:job_cancel": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.job.pk},
        expect={"admin": 302, "manager1": 302},
    ),
    "core:members": page("admin.view"),
    "core:member_new": page("admin.create"),
    "core:member_edit": page("admin.view", object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}),
    "core:member_deactivate": form(
        "admin.change", lambda w: {}, object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}
    ),
    "core:member_reactivate": form(
        "admin.change", lambda w: {}, object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}
    ),
    "core:teams": page("admin.view"),
    "core:team_new": page("admin.create"),
    "core:team_edit": page("admin.view", object_route=True, kwargs=lambda w: {"pk": w.p.north.pk}),
    "core:team_delete": form("admin.delete", lambda w: {}, object_route=True, kwargs=lambda w: {"pk": w.empty_team.pk}),
    "core:roles": page("admin.view"),
    "core:role_new": page("admin.create"),
    "core:role_edit": page("admin.view", object_route=True, kwargs=lambda w: {"pk": w.p.readonly.role_id}),
    "core:role_delete": form(
        "admin.delete", lambda w: {}, object_route=True, kwargs=lambda w: {"pk": w.custom_role.pk}
    ),
    "core:modules": page("admin.view"),
    "core:audit": page("admin.view"),
    "core:workspace": page("admin.view"),
    # A GET that writes (the export is audited): denied ones must write nothing either.
    "core:audit_export": page("admin.export", write=True, method="GET"),
    "core:handover": page("admin.assign"),
    "api:openapi-json": page("public"),
    "api:openapi-view": page("public"),
}

# Writes through the same page URLs (POST of a form shown by GET).
PAGE_POSTS: dict[str, Rule] = {
    "core:workspace": form(
        "admin.change",
        lambda w: {
            "version": w.p.admin.workspace.version,
            "name": "Alpha 2",
            "language": "ru",
            "time_zone": "Europe/Moscow",
            "default_currency": "RUB",
            "default_phone_region": "RU",
        },
    ),
    "core:profile": form("member", lambda w: {"full_name": "Renamed", "language": "en", "time_zone": ""}),
    "core:tokens": form("member", lambda w: {"name": "matrix-2"}, ok=200),
    "core:member_new": form(
        "admin.create",
        lambda w: {"email": "new@alpha.test", "full_name": "New", "role": w.p.readonly.role_id},
        foreign_data=400,
    ),
    "core:member_edit": form(
        "admin.change",
        lambda w: {"role": w.p.manager2.role_id, "team": w.p.south.pk, "title": "T", "version": w.p.manager2.version},
        object_route=True,
        kwargs=lambda w: {"user_id": w.spare_user_id},
    ),
    "core:team_new": form("admin.create", lambda w: {"name": "Depot", "parent": "", "description": ""}),
    "core:team_edit": form("admin.change", team_form, object_route=True, kwargs=lambda w: {"pk": w.p.north.pk}),
    "core:role_new": form("admin.create", lambda w: {"name": "Made", "scope": "own", "permissions": ["clients.view"]}),
    "core:role_edit": form("admin.change", role_form, object_route=True, kwargs=lambda w: {"pk": w.p.readonly.role_id}),
    "core:modules": form("admin.change", lambda w: {"enabled": ["sales"], "version": w.p.admin.workspace.version}),
    "core:handover": form(
        "admin.assign",
        lambda w: {"from_user": w.p.manager1.user_id, "to_users": [w.p.manager2.user_id], "kinds": ["sample.account"]},
        foreign_data=400,
    ),
}


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/me"): api_rule("member"),
    ("PATCH", "/api/v1/me"): api_rule("member", data=lambda w: {"full_name": "Renamed"}),
    ("GET", "/api/v1/me/tokens"): api_rule("member"),
    ("POST", "/api/v1/me/tokens"): api_rule("member", 201, data=lambda w: {"name": "matrix-2"}),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): api_rule(
        "custom",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"token_id": w.token.pk},
        expect={"manager1": 204},
    ),
    ("GET", "/api/v1/users"): api_rule("member"),
    ("POST", "/api/v1/users"): api_rule(
        "admin.create",
        201,
        data=lambda w: {
            "email": "new@alpha.test",
            "full_name": "New",
            "role_id": w.p.readonly.role_id,
            "send_invitation": False,
        },
        foreign_data=422,
    ),
    ("GET", "/api/v1/users/{user_id}"): api_rule(
        "member", object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}
    ),
    ("PATCH", "/api/v1/users/{user_id}"): api_rule(
        "admin.change",
        data=lambda w: {"version": w.p.manager2.version, "title": "T"},
        object_route=True,
        kwargs=lambda w: {"user_id": w.spare_user_id},
    ),
    ("POST", "/api/v1/users/{user_id}/deactivate"): api_rule(
        "admin.change", data=lambda w: {}, object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}
    ),
    ("POST", "/api/v1/users/{user_id}/reactivate"): api_rule(
        "admin.change", data=lambda w: {}, object_route=True, kwargs=lambda w: {"user_id": w.spare_user_id}
    ),
    ("GET", "/api/v1/teams"): api_rule("member"),
    ("POST", "/api/v1/teams"): api_rule("admin.create", 201, data=lambda w: {"name": "Depot"}),
    ("GET", "/api/v1/teams/{team_id}"): api_rule(
        "member", object_route=True, kwargs=lambda w: {"team_id": w.p.north.pk}
    ),
    ("PATCH", "/api/v1/teams/{team_id}"): api_rule(
        "admin.change",
        data=lambda w: {"version": w.p.north.version, "name": "North 2"},
        object_route=True,
        kwargs=lambda w: {"team_id": w.p.north.pk},
    ),
    ("DELETE", "/api/v1/teams/{team_id}"): api_rule(
        "admin.delete", 204, data=lambda w: {}, object_route=True, kwargs=lambda w: {"team_id": w.empty_team.pk}
    ),
    ("GET", "/api/v1/roles"): api_rule("admin.view"),
    ("POST", "/api/v1/roles"): api_rule(
        "admin.create", 201, data=lambda w: {"name": "Made", "scope": "own", "permissions": ["clients.view"]}
    ),
    ("GET", "/api/v1/roles/{role_id}"): api_rule(
        "admin.view", object_route=True, kwargs=lambda w: {"role_id": w.p.readonly.role_id}
    ),
    ("PATCH", "/api/v1/roles/{role_id}"): api_rule(
        "admin.change",
        data=lambda w: {"version": w.p.readonly.role.version, "scope": "all"},
        object_route=True,
        kwargs=lambda w: {"role_id": w.p.readonly.role_id},
    ),
    ("DELETE", "/api/v1/roles/{role_id}"): api_rule(
        "admin.delete", 204, data=lambda w: {}, object_route=True, kwargs=lambda w: {"role_id": w.custom_role.pk}
    ),
    ("GET", "/api/v1/permissions"): api_rule("member"),
    ("GET", "/api/v1/workspace/modules"): api_rule("admin.view"),
    ("GET", "/api/v1/workspace"): api_rule("member"),
    ("PATCH", "/api/v1/workspace"): api_rule(
        "admin.change", data=lambda w: {"version": w.p.admin.workspace.version, "default_phone_region": "KZ"}
    ),
    ("PUT", "/api/v1/workspace/modules"): api_rule(
        "admin.change", data=lambda w: {"enabled": ["sales"], "version": w.p.admin.workspace.version}
    ),
    ("GET", "/api/v1/audit/events"): api_rule("admin.view"),
    ("GET", "/api/v1/jobs"): api_rule("member"),
    ("GET", "/api/v1/jobs/{job_id}"): api_rule(
        "custom", object_route=True, kwargs=lambda w: {"job_id": w.job.pk}, expect={"admin": 200, "manager1": 200}
    ),
    ("POST", "/api/v1/jobs/{job_id}/cancel"): api_rule(
        "custom",
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"job_id": w.job.pk},
        expect={"admin": 200, "manager1": 200},
    ),
    ("GET", "/api/v1/handover/{user_id}"): api_rule(
        "admin.assign", object_route=True, kwargs=lambda w: {"user_id": w.p.manager1.user_id}
    ),
    ("POST", "/api/v1/handover"): api_rule(
        "admin.assign",
        202,
        data=lambda w: {
            "from_user_id": w.p.manager1.user_id,
            "to_user_ids": [w.p.manager2.user_id],
            "kinds": ["sample.account"],
        },
        foreign_data=422,
    ),
}
