"""The demo workspace: a building-materials supplier (the brick sale of the source
documents) with a user for every built-in role in two sales teams. Business apps add
their demo data through `register_demo_step` as they appear."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from relata.core.models import Membership, Role, Team, User, Workspace
from relata.core.services.workspaces import workspace_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "relata-demo"  # noqa: S105  (printed by `manage.py demo`: a demo, not a secret)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    team: str | None
    title: str


DEMO_TEAMS: list[tuple[str, str | None]] = [
    ("Продажи", None),
    ("Продажи: Москва", "Продажи"),
    ("Продажи: Регионы", "Продажи"),
    ("Маркетинг", None),
    ("Сервис", None),
    ("Склад", None),
]

DEMO_USERS = [
    DemoUser("admin@demo.relata.test", "Анна Соколова", "administrator", None, "Администратор CRM"),
    DemoUser("head@demo.relata.test", "Игорь Петров", "head_of_sales", "Продажи", "Руководитель отдела продаж"),
    DemoUser("manager@demo.relata.test", "Мария Иванова", "sales_manager", "Продажи: Москва", "Менеджер по продажам"),
    DemoUser(
        "manager2@demo.relata.test", "Дмитрий Кузнецов", "sales_manager", "Продажи: Регионы", "Менеджер по продажам"
    ),
    DemoUser("marketer@demo.relata.test", "Елена Смирнова", "marketer", "Маркетинг", "Маркетолог"),
    DemoUser("service@demo.relata.test", "Олег Волков", "service_agent", "Сервис", "Инженер сервиса"),
    DemoUser("storekeeper@demo.relata.test", "Сергей Морозов", "storekeeper", "Склад", "Кладовщик"),
    DemoUser("analyst@demo.relata.test", "Наталья Лебедева", "analyst", None, "Аналитик"),
    DemoUser("readonly@demo.relata.test", "Павел Новиков", "read_only", None, "Директор"),
]

DemoStep = Callable[[Workspace], None]
_DEMO_STEPS: list[tuple[int, DemoStep]] = []


def register_demo_step(step: DemoStep, order: int = 100) -> None:
    """Apps add their demo data (clients, deals, orders…) here, run after the platform's."""
    _DEMO_STEPS.append((order, step))


def demo_administrator(workspace: Workspace) -> Membership | None:
    """The administrator the demo steps write as (through the services)."""
    return (
        Membership.objects.select_related("workspace", "role", "user")
        .filter(workspace_id=workspace.pk, role__key="administrator", is_active=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def create_demo_workspace() -> Workspace:
    """Create the demo workspace, or return it if it already exists (idempotent)."""
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing
    admin_spec = DEMO_USERS[0]
    admin = workspace_create(
        name="ООО «Кирпичный двор»",
        slug=DEMO_SLUG,
        admin_email=admin_spec.email,
        admin_name=admin_spec.full_name,
        admin_password=DEMO_PASSWORD,
        language="",  # demo users see the language of their browser until they choose
    )
    workspace = admin.workspace
    teams: dict[str, Team] = {}
    for name, parent in DEMO_TEAMS:
        teams[name] = Team.objects.create(workspace=workspace, name=name, parent=teams.get(parent) if parent else None)
    admin.title = admin_spec.title
    admin.save(update_fields=["title"])
    roles = {role.key: role for role in Role.objects.filter(workspace=workspace).exclude(key="")}
    for spec in DEMO_USERS[1:]:
        user = User.objects.filter(email=spec.email).first() or User.objects.create_user(
            spec.email, DEMO_PASSWORD, full_name=spec.full_name
        )
        Membership.objects.create(
            workspace=workspace,
            user=user,
            role=roles[spec.role],
            team=teams[spec.team] if spec.team else None,
            title=spec.title,
        )
    for _order, step in sorted(_DEMO_STEPS, key=lambda item: item[0]):
        step(workspace)
    return workspace
