"""The one access mechanism: workspace, module switch, role permission and scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from relata.core.access import ModuleDisabled, get_visible, require, scope_queryset
from relata.core.models import Membership, Role
from relata.core.tests.sample.models import Account, Opportunity


@pytest.fixture
def accounts(personas):
    ws = personas.admin.workspace
    made = {
        name: Account.objects.create(workspace=ws, owner=member.user, name=f"{name}-account")
        for name, member in personas.all().items()
        if name != "other"
    }
    made["other"] = Account.objects.create(
        workspace=personas.other.workspace, owner=personas.other.user, name="other-account"
    )
    return made


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_scope_own_sees_only_own_records(personas, accounts):
    assert names(scope_queryset(personas.manager1, Account.objects.all())) == ["manager1-account"]


def test_scope_team_sees_team_and_sub_teams(personas, accounts):
    # The head sits in Sales; North and South are below it.
    assert names(scope_queryset(personas.head, Account.objects.all())) == [
        "head-account",
        "manager1-account",
        "manager2-account",
    ]


def test_scope_team_of_a_leaf_team_does_not_see_siblings(personas, accounts):
    role = personas.manager1.role
    role.scope = "team"
    role.save()
    personas.manager1.refresh_from_db()
    assert names(scope_queryset(personas.manager1, Account.objects.all())) == ["manager1-account"]


def test_scope_all_sees_the_workspace_but_never_another_workspace(personas, accounts):
    visible = names(scope_queryset(personas.admin, Account.objects.all()))
    assert "other-account" not in visible
    assert len(visible) == 5
    assert names(scope_queryset(personas.other, Account.objects.all())) == ["other-account"]


def test_without_module_permission_the_list_is_empty_not_an_error(personas, accounts):
    role = personas.readonly.role
    role.permissions = [p for p in role.permissions if not p.startswith("clients.")]
    role.save()
    reader = Membership.objects.get(pk=personas.readonly.pk)
    assert names(scope_queryset(reader, Account.objects.all())) == []


def test_inactive_member_sees_nothing(personas, accounts):
    personas.admin.is_active = False
    assert names(scope_queryset(personas.admin, Account.objects.all())) == []


def test_get_visible_outside_scope_is_404(personas, accounts):
    with pytest.raises(Http404):
        get_visible(personas.manager1, Account, accounts["manager2"].pk)


def test_get_visible_in_another_workspace_is_404(personas, accounts):
    with pytest.raises(Http404):
        get_visible(personas.admin, Account, accounts["other"].pk)


def test_get_visible_garbage_id_is_404(personas, accounts):
    with pytest.raises(Http404):
        get_visible(personas.admin, Account, "not-a-number")


def test_visible_but_not_writable_is_403(personas, accounts):
    assert get_visible(personas.readonly, Account, accounts["manager1"].pk).name == "manager1-account"
    with pytest.raises(PermissionDenied):
        get_visible(personas.readonly, Account, accounts["manager1"].pk, for_write=True)


def test_writable_when_role_allows(personas, accounts):
    account = get_visible(personas.manager1, Account, accounts["manager1"].pk, for_write=True)
    assert account.pk == accounts["manager1"].pk


def test_module_switched_off_is_404_even_for_administrators(personas, accounts):
    ws = personas.admin.workspace
    ws.enabled_modules = [m for m in ws.enabled_modules if m != "sales"]
    ws.save()
    admin = Membership.objects.select_related("workspace", "role").get(pk=personas.admin.pk)
    account = accounts["admin"]
    deal = Opportunity.objects.create(workspace=ws, owner=admin.user, account=account, title="Wagons")
    with pytest.raises(ModuleDisabled):
        require(admin, "sales", "view")
    with pytest.raises(Http404):
        get_visible(admin, Opportunity, deal.pk)
    assert list(scope_queryset(admin, Opportunity.objects.all())) == []
    assert not admin.can("sales", "view")


def test_modules_that_cannot_be_switched_off_stay_on(personas):
    ws = personas.admin.workspace
    ws.enabled_modules = []
    assert ws.module_enabled("clients")
    assert ws.module_enabled("admin")
    assert not ws.module_enabled("sales")
    assert not ws.module_enabled("no-such-module")


def test_permission_check_is_per_module_and_action(personas):
    manager = personas.manager1
    assert manager.can("clients", "create")
    assert not manager.can("clients", "export")
    assert not manager.can("admin", "view")
    role = Role.objects.get(pk=manager.role_id)
    assert role.grants("sales", "change")
