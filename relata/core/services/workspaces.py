from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relata.core.access import require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership, Role, User, Workspace, normalize_email
from relata.core.modules import MODULES, SWITCHABLE_MODULES
from relata.core.roles_builtin import BUILTIN_ROLES

WorkspaceSetup = Callable[[Workspace], None]
_SETUP_STEPS: list[WorkspaceSetup] = []


def register_workspace_setup(step: WorkspaceSetup) -> None:
    """Apps add what every new workspace needs (e.g. default lifecycle statuses)."""
    if step not in _SETUP_STEPS:
        _SETUP_STEPS.append(step)


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def workspace_seed_builtin_roles(workspace: Workspace) -> list[Role]:
    """Create the built-in roles that the workspace does not have yet (idempotent)."""
    existing = set(Role.objects.filter(workspace=workspace).exclude(key="").values_list("key", flat=True))
    created = [
        Role(
            workspace=workspace,
            key=spec.key,
            scope=spec.scope,
            permissions=spec.permissions(),
            description=str(spec.description),
        )
        for spec in BUILTIN_ROLES
        if spec.key not in existing
    ]
    Role.objects.bulk_create(created)
    return created


@transaction.atomic
def workspace_create(
    *,
    name: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None = None,
    language: str = "ru",
    time_zone: str = "Europe/Moscow",
    slug: str | None = None,
) -> Membership:
    """A new workspace with the built-in roles and its first administrator.

    The administrator is an existing user with that e-mail, or a new one. Returns the
    administrator's membership.
    """
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the workspace's name."))
    email = normalize_email(admin_email)
    if not email:
        raise invalid("admin_email", _("Enter the administrator's e-mail."))
    workspace = Workspace.objects.create(
        name=name, slug=slug or _unique_slug(name), language=language or "ru", time_zone=time_zone
    )
    workspace_seed_builtin_roles(workspace)
    for step in _SETUP_STEPS:
        step(workspace)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, admin_password, full_name=admin_name.strip() or email, language=language)
    admin_role = Role.objects.get(workspace=workspace, key="administrator")
    membership = Membership.objects.create(workspace=workspace, user=user, role=admin_role)
    record_event(kind="workspace.created", workspace=workspace, actor=user, target=workspace)
    return membership


@transaction.atomic
def workspace_set_modules(actor: Membership, *, enabled: list[str], version: int) -> Workspace:
    """Switch modules on and off. Modules that cannot be switched off stay on."""
    require(actor, "admin", "change")
    unknown = [key for key in enabled if key not in MODULES]
    if unknown:
        raise invalid("enabled", _("Unknown module: %(names)s.") % {"names": ", ".join(unknown)})
    workspace = Workspace.objects.get(pk=actor.workspace_id)
    before = snapshot(workspace, ["enabled_modules"])
    workspace.enabled_modules = [key for key in SWITCHABLE_MODULES if key in set(enabled)]
    save_versioned(workspace, expected_version=version, fields=["enabled_modules"])
    changes = diff(before, snapshot(workspace, ["enabled_modules"]))
    if changes:
        record_event(
            kind="workspace.modules_changed", workspace=workspace, actor=actor.user, target=workspace, changes=changes
        )
    actor.workspace = workspace
    return workspace


SETTINGS_FIELDS = ["name", "language", "time_zone", "default_currency", "default_phone_region"]


@transaction.atomic
def workspace_update_settings(
    actor: Membership,
    *,
    version: int,
    name: str,
    language: str,
    time_zone: str,
    default_currency: str,
    default_phone_region: str,
) -> Workspace:
    """The company's name and its defaults: language, time zone, currency, and the
    region phone numbers typed without a country code belong to."""
    import zoneinfo

    import phonenumbers
    from django.conf import settings

    require(actor, "admin", "change")
    workspace = Workspace.objects.get(pk=actor.workspace_id)
    before = snapshot(workspace, SETTINGS_FIELDS)
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the workspace's name."))
    if language not in dict(settings.LANGUAGES):
        raise invalid("language", _("Choose Russian or English."))
    if time_zone not in zoneinfo.available_timezones():
        raise invalid(
            "time_zone", _("Unknown time zone “%(name)s”; use a name such as Europe/Moscow.") % {"name": time_zone}
        )
    currency = default_currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise invalid("default_currency", _("A currency is a three-letter code such as RUB."))
    region = default_phone_region.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise invalid(
            "default_phone_region",
            _("Unknown country code “%(code)s” (e.g. RU, KZ, BY).") % {"code": default_phone_region},
        )
    workspace.name, workspace.language, workspace.time_zone = name[:200], language, time_zone
    workspace.default_currency, workspace.default_phone_region = currency, region
    save_versioned(workspace, expected_version=version, fields=SETTINGS_FIELDS)
    changes = diff(before, snapshot(workspace, SETTINGS_FIELDS))
    if changes:
        record_event(kind="workspace.changed", workspace=workspace, actor=actor.user, target=workspace, changes=changes)
    actor.workspace = workspace
    return workspace
