"""The permission matrix: every page of the URL configuration and every operation of the
OpenAPI schema, as every persona.

- anonymous: pages redirect to the log-in page, the API answers 401;
- a member whose role lacks the permission: 403 (404 when the record is not visible);
- the allowed member: success;
- the member of another workspace: 404 for records of this workspace, and lists that
  never show them;
- every denied write is checked to have changed nothing in the database.

A page or operation without an entry here fails `test_every_route_has_a_matrix_entry`:
adding an endpoint means deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import ApiClient, Personas, make_personas
from relata.api.v1 import api
from relata.core.models import ApiToken, Job, Membership, Role, Team
from relata.core.services.jobs import job_start
from relata.core.services.tokens import token_create

PERSONAS = ["anonymous", "admin", "head", "manager1", "manager2", "readonly", "other"]
LEAK_MARKER = "alpha.test"  # every user of workspace A has an e-mail there


@dataclass
class World:
    p: Personas
    empty_team: Team
    custom_role: Role
    job: Job
    token: ApiToken
    spare_user_id: int


def make_world() -> World:
    p = make_personas()
    ws = p.admin.workspace
    empty_team = Team.objects.create(workspace=ws, name="Empty")
    custom_role = Role.objects.create(workspace=ws, name="Spare role", scope="own", permissions=["clients.view"])
    job = job_start(p.manager1, kind="core.handover", params={})
    token, _secret = token_create(p.manager1, name="matrix")
    return World(p, empty_team, custom_role, job, token, p.manager2.user_id)


@dataclass
class Rule:
    """Who may use a route. `perm` is "module.action", "member" (every active member),
    "public" (anyone, logged in or not) or "custom" (see `expect`)."""

    perm: str
    ok: int = 200
    object_route: bool = False
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    data: Callable[[World], Any] | None = None
    write: bool = False
    expect: dict[str, int] = field(default_factory=dict)
    # The payload names records of workspace A: workspace B's member gets a validation
    # error (this status) and nothing is written.
    foreign_data: int | None = None
    method: str | None = None  # for pages: GET, or POST when `write`, unless set here


def page(perm: str, **kw: Any) -> Rule:
    return Rule(perm, **kw)


def form(perm: str, data: Callable[[World], Any], **kw: Any) -> Rule:
    return Rule(perm, ok=kw.pop("ok", 302), data=data, write=True, **kw)


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
    # A GET that writes (the export is audited): denied ones must write nothing either.
    "core:audit_export": page("admin.export", write=True, method="GET"),
    "core:handover": page("admin.assign"),
    "api:openapi-json": page("public"),
    "api:openapi-view": page("public"),
}

# Writes through the same page URLs (POST of a form shown by GET).
PAGE_POSTS: dict[str, Rule] = {
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


def api_rule(
    perm: str,
    ok: int = 200,
    *,
    data: Callable[[World], Any] | None = None,
    object_route: bool = False,
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {},
    expect: dict[str, int] | None = None,
    foreign_data: int | None = None,
) -> Rule:
    return Rule(
        perm,
        ok=ok,
        object_route=object_route,
        kwargs=kwargs,
        data=data,
        write=data is not None,
        expect=expect or {},
        foreign_data=foreign_data,
    )


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


# --- Discovery ----------------------------------------------------------------------


def discovered_pages() -> set[str]:
    """Names of every URL pattern outside the API's operations."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"
                # Ninja names operations after their view function; only its docs and schema are pages.
                if namespace.startswith("api:") and name not in ("api:openapi-json", "api:openapi-view"):
                    continue
                names.add(name)

    walk(get_resolver().url_patterns, "")
    return names


def discovered_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_a_matrix_entry():
    pages = discovered_pages()
    assert pages - set(PAGES) == set(), "pages without a permission-matrix entry"
    assert set(PAGES) - pages == set(), "matrix entries for pages that do not exist"
    assert set(PAGE_POSTS) <= set(PAGES)
    operations = discovered_operations()
    assert operations - set(API) == set(), "API operations without a permission-matrix entry"
    assert set(API) - operations == set(), "matrix entries for operations that do not exist"


# --- The matrix ---------------------------------------------------------------------

VOLATILE = {"last_login", "last_used_at", "updated_at"}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's tables (what a denied write must leave untouched)."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in [*apps.get_app_config("core").get_models(), *apps.get_app_config("sample").get_models()]:
        if model._meta.model_name == "loginthrottle":
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        state[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def expected_status(rule: Rule, persona: str, member: Membership | None, *, is_api: bool) -> int:
    if persona == "anonymous":
        if rule.perm == "public":
            return rule.ok
        if rule.perm == "custom" and "anonymous" in rule.expect:
            return rule.expect["anonymous"]
        return 401 if is_api else 302
    assert member is not None
    if rule.perm == "custom":
        if persona in rule.expect:
            return rule.expect[persona]
        return 404
    if persona == "other" and rule.object_route:
        return 404
    if persona == "other" and rule.foreign_data is not None:
        return rule.foreign_data
    if rule.perm in ("public", "member"):
        return rule.ok
    module, action = rule.perm.split(".")
    return rule.ok if member.can(module, action) else 403


def run_case(rule: Rule, persona: str, *, is_api: bool, method: str, url_for: Callable[[World], str]) -> None:
    world = make_world()
    member = world.p.all().get(persona)
    if is_api:
        caller: Any = ApiClient(member)
    else:
        caller = Client()
        if member is not None:
            caller.force_login(member.user)
    url = url_for(world)
    data = rule.data(world) if rule.data else None
    before = fingerprint()
    if is_api:
        response = caller.call(method, url, data)
    else:
        response = (
            getattr(caller, method.lower())(url, data) if data is not None else getattr(caller, method.lower())(url)
        )
    expected = expected_status(rule, persona, member, is_api=is_api)
    assert response.status_code == expected, f"{method} {url} as {persona}: {response.status_code}, expected {expected}"
    if persona == "anonymous" and expected == 302 and not is_api and rule.perm != "public":
        assert response["Location"].startswith("/login/")
    if persona == "other" and response.status_code < 300 and rule.perm != "public":
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert LEAK_MARKER not in body.decode(), f"{url} shows workspace A's data to workspace B"
    if rule.write and expected >= 400:
        assert fingerprint() == before, f"denied {method} {url} as {persona} changed the database"


def page_url(name: str, rule: Rule) -> Callable[[World], str]:
    from django.urls import reverse

    return lambda w: reverse(name, kwargs=rule.kwargs(w))


def api_url(path: str, rule: Rule) -> Callable[[World], str]:
    return lambda w: path.format(**rule.kwargs(w))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(name: str, persona: str) -> None:
    rule = PAGES[name]
    method = rule.method or ("POST" if rule.write else "GET")
    run_case(rule, persona, is_api=False, method=method, url_for=page_url(name, rule))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGE_POSTS))
def test_page_post(name: str, persona: str) -> None:
    rule = PAGE_POSTS[name]
    run_case(rule, persona, is_api=False, method="POST", url_for=page_url(name, rule))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_operation(method: str, path: str, persona: str) -> None:
    rule = API[(method, path)]
    run_case(rule, persona, is_api=True, method=method, url_for=api_url(path, rule))
