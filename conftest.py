"""Fixtures shared by every test: personas, API clients, the browser.

Services the tests talk to (PostgreSQL, Redis, chromium) are required when
RELATA_REQUIRE_SERVICES=1 (CI): a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from relata.core.models import Membership, Role, Team
from relata.core.services.tokens import token_create
from relata.core.services.workspaces import workspace_create

# Property tests check what is true, not how fast: on a shared CI machine running the
# suite on several workers, Hypothesis's default 200 ms deadline fails healthy examples.
settings.register_profile("relata", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("relata")

REQUIRE_SERVICES = os.environ.get("RELATA_REQUIRE_SERVICES") == "1"
PASSWORD = "correct-horse-battery-7"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing_service(reason: str) -> None:
    """Skip locally, fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@dataclass
class Personas:
    """Workspace A with an administrator, a head of sales (team Sales), two managers in
    sub-teams North and South, a read-only user; and the administrator of workspace B."""

    admin: Membership
    head: Membership
    manager1: Membership
    manager2: Membership
    readonly: Membership
    other: Membership
    sales: Team
    north: Team
    south: Team

    def all(self) -> dict[str, Membership]:
        return {
            "admin": self.admin,
            "head": self.head,
            "manager1": self.manager1,
            "manager2": self.manager2,
            "readonly": self.readonly,
            "other": self.other,
        }


def add_member(admin: Membership, email: str, name: str, role_key: str, team: Team | None) -> Membership:
    from relata.core.models import User

    user = User.objects.create_user(email, PASSWORD, full_name=name, language="en")
    role = Role.objects.get(workspace=admin.workspace, key=role_key)
    return Membership.objects.create(workspace=admin.workspace, user=user, role=role, team=team)


def make_personas() -> Personas:
    admin = workspace_create(
        name="Alpha Bricks",
        admin_email="admin@alpha.test",
        admin_name="Alice Admin",
        admin_password=PASSWORD,
        language="en",
    )
    admin.user.language = "en"
    admin.user.save(update_fields=["language"])
    ws = admin.workspace
    sales = Team.objects.create(workspace=ws, name="Sales")
    north = Team.objects.create(workspace=ws, name="North", parent=sales)
    south = Team.objects.create(workspace=ws, name="South", parent=sales)
    head = add_member(admin, "head@alpha.test", "Hugo Head", "head_of_sales", sales)
    manager1 = add_member(admin, "m1@alpha.test", "Mila North", "sales_manager", north)
    manager2 = add_member(admin, "m2@alpha.test", "Max South", "sales_manager", south)
    readonly = add_member(admin, "ro@alpha.test", "Rita Reader", "read_only", None)
    other = workspace_create(
        name="Beta Steel",
        admin_email="admin@beta.test",
        admin_name="Boris Other",
        admin_password=PASSWORD,
        language="en",
    )
    other.user.language = "en"
    other.user.save(update_fields=["language"])
    return Personas(admin, head, manager1, manager2, readonly, other, sales, north, south)


@pytest.fixture
def personas(db: Any) -> Personas:
    return make_personas()


class ApiClient:
    """Calls the API with a persona's personal token, as a program would."""

    def __init__(self, membership: Membership | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if membership is not None:
            _token, secret = token_create(membership, name="tests")
            self.headers["Authorization"] = f"Bearer {secret}"

    def call(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        body = json.dumps(data) if data is not None and not isinstance(data, str | bytes) else data
        func = getattr(self.client, method.lower())
        kwargs: dict[str, Any] = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if method.upper() in ("GET", "DELETE") and isinstance(data, dict):
            return func(path, data, **kwargs)
        if body is not None:
            kwargs["content_type"] = extra.pop("content_type", "application/json")
            return func(path, body, **kwargs)
        return func(path, **kwargs)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.call("POST", path, data, **extra)

    def patch(self, path: str, data: Any = None) -> Any:
        return self.call("PATCH", path, data)

    def put(self, path: str, data: Any = None) -> Any:
        return self.call("PUT", path, data)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)


@pytest.fixture
def api_as(db: Any) -> Any:
    def make(membership: Membership | None) -> ApiClient:
        return ApiClient(membership)

    return make


@pytest.fixture
def client_as(db: Any) -> Any:
    """A browser-like client logged in as the persona (or anonymous for None)."""

    def make(membership: Membership | None) -> Client:
        client = Client()
        if membership is not None:
            client.force_login(membership.user)
        return client

    return make


# --- A real Celery worker -------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_app() -> Any:
    """A Celery app of its own on the real Redis (as production runs with
    CELERY_BROKER_URL=redis://…), with a queue of its own so that no other consumer of
    this Redis takes its tasks; made current for the test, the project's app restored after."""
    import uuid

    import redis
    from celery import Celery

    from config.celery import app as project_app

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        missing_service("Redis does not answer at 127.0.0.1:6379")
    app = Celery("relata-worker-test", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={},
        task_default_queue=f"relata-test-{uuid.uuid4().hex[:8]}",
    )
    app.set_current()
    try:
        yield app
    finally:
        app.close()
        # start_worker also makes its app the process-wide default, which every other
        # thread (the live server of the browser tests) would go on using.
        project_app.set_current()
        project_app.set_default()


# --- Browser tests -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's channels cannot find Debian's chromium: point at it."""
    if not shutil.which(CHROMIUM):
        missing_service(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
