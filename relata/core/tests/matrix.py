"""The permission-matrix engine: personas, the world of records they act on, rules and
the checks of one request. Entries live next to each app, in `relata/<app>/tests/
matrix*.py` modules defining any of PAGES, PAGE_POSTS, API (dicts of Rule), an
`extend_world(world)` function that adds the records their routes need to
`world.extra`, and LEAK_MARKERS (strings of workspace A that workspace B must never see).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import ApiClient, Personas, make_personas
from relata.api.v1 import api
from relata.core.models import Membership

PERSONAS = ["anonymous", "admin", "head", "manager1", "manager2", "readonly", "other"]
VOLATILE = {"last_login", "last_used_at", "updated_at"}


@dataclass
class World:
    """Workspace A's personas and whatever records the apps' routes need (in `extra`)."""

    p: Personas
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["extra"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


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
    # For multipart uploads: data is sent as a form (files included), not JSON.
    multipart: bool = False


def page(perm: str, **kw: Any) -> Rule:
    return Rule(perm, **kw)


def form(perm: str, data: Callable[[World], Any], **kw: Any) -> Rule:
    return Rule(perm, ok=kw.pop("ok", 302), data=data, write=True, **kw)


def api_rule(
    perm: str,
    ok: int = 200,
    *,
    data: Callable[[World], Any] | None = None,
    object_route: bool = False,
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {},
    expect: dict[str, int] | None = None,
    foreign_data: int | None = None,
    multipart: bool = False,
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
        multipart=multipart,
    )


# --- Collecting the apps' entries ---------------------------------------------------


def matrix_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("relata."):
            continue
        try:
            tests = importlib.import_module(f"{config.name}.tests")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(tests.__path__):
            if info.name.startswith("matrix") and info.name != "matrix":
                modules.append(importlib.import_module(f"{config.name}.tests.{info.name}"))
    return modules


def collect(name: str) -> dict[Any, Rule]:
    merged: dict[Any, Rule] = {}
    for module in matrix_modules():
        entries = getattr(module, name, {})
        overlap = set(merged) & set(entries)
        assert not overlap, f"{module.__name__} repeats matrix entries: {overlap}"
        merged.update(entries)
    return merged


def leak_markers() -> list[str]:
    return [marker for module in matrix_modules() for marker in getattr(module, "LEAK_MARKERS", [])]


def make_world() -> World:
    world = World(make_personas())
    for module in matrix_modules():
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(world)
    return world


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


# --- One case -----------------------------------------------------------------------


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's tables (what a denied write must leave untouched)."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for config in apps.get_app_configs():
        if not (config.name.startswith("relata.")):
            continue
        for model in config.get_models():
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


def _body(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def run_case(
    world: World, rule: Rule, persona: str, *, is_api: bool, method: str, url_for: Callable[[World], str]
) -> None:
    cache.clear()  # rate limits and the like must not carry over from the previous case
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
    if is_api and not rule.multipart:
        response = caller.call(method, url, data)
    elif is_api:
        response = caller.client.post(url, data, headers=caller.headers)
    else:
        send = getattr(caller, method.lower())
        response = send(url, data) if data is not None else send(url)
    expected = expected_status(rule, persona, member, is_api=is_api)
    assert response.status_code == expected, f"{method} {url} as {persona}: {response.status_code}, expected {expected}"
    if persona == "anonymous" and expected == 302 and not is_api and rule.perm != "public":
        assert response["Location"].startswith("/login/")
    if persona == "other" and response.status_code < 300 and rule.perm != "public":
        body = _body(response)
        for marker in ["alpha.test", *leak_markers()]:
            assert marker not in body, f"{url} shows workspace A's data ({marker!r}) to workspace B"
    if rule.write and expected >= 400:
        assert fingerprint() == before, f"denied {method} {url} as {persona} changed the database"
