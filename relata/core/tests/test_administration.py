"""Administrators manage members, teams, roles and modules, in the UI and the API;
every change is an event, every bad input a clear error that changes nothing."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from relata.core.models import Event, Membership, Role, Team, User, Workspace
from relata.core.modules import SWITCHABLE_MODULES
from relata.core.services.members import member_deactivate, member_update
from relata.core.services.roles import role_update
from relata.core.services.teams import team_update


def field_errors(response, field: str) -> str:
    match = re.search(rf'id="id_{field}_errors">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def form_errors(response) -> str:
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S))


# --- Members ------------------------------------------------------------------------


def test_add_a_new_member_in_the_ui_sends_an_invitation(personas, client_as, django_capture_on_commit_callbacks):
    client = client_as(personas.admin)
    role = Role.objects.get(workspace=personas.admin.workspace, key="sales_manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/members/new/",
            {
                "email": "New.Person@Alpha.test",
                "full_name": "New Person",
                "role": role.pk,
                "team": personas.north.pk,
                "title": "Trainee",
            },
        )
    assert response.status_code == 302
    member = Membership.objects.get(user__email="new.person@alpha.test")
    assert (member.role, member.team, member.title) == (role, personas.north, "Trainee")
    assert not member.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/password/reset/" in mail.outbox[0].body
    event = Event.objects.get(kind="member.added")
    assert event.actor == personas.admin.user
    assert event.changes["role"] == [None, role.pk]


def test_invited_member_sets_a_password_from_the_letter_and_logs_in(
    personas, api_as, client, django_capture_on_commit_callbacks
):
    api = api_as(personas.admin)
    role = Role.objects.get(workspace=personas.admin.workspace, key="read_only")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/users", {"email": "invitee@alpha.test", "full_name": "In Vitee", "role_id": role.pk}
        )
    assert response.status_code == 201
    link = re.search(r"http://127.0.0.1:8000(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    assert (
        client.post(form_url, {"new_password1": "invited-pass-123", "new_password2": "invited-pass-123"}).status_code
        == 302
    )
    assert client.post("/login/", {"email": "invitee@alpha.test", "password": "invited-pass-123"}).status_code == 302


def test_an_existing_user_joins_with_their_own_account(personas, api_as):
    api = api_as(personas.admin)
    role = Role.objects.get(workspace=personas.admin.workspace, key="analyst")
    response = api.post("/api/v1/users", {"email": "ADMIN@beta.test", "role_id": role.pk})
    assert response.status_code == 201
    assert response.json()["full_name"] == "Boris Other"
    assert User.objects.filter(email="admin@beta.test").count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "", "full_name": "X", "role": "ROLE"}, "email"),
        ({"email": "not-an-email", "full_name": "X", "role": "ROLE"}, "email"),
        ({"email": "m1@alpha.test", "full_name": "X", "role": "ROLE"}, "email"),
        ({"email": "fresh@alpha.test", "full_name": "", "role": "ROLE"}, "full_name"),
        ({"email": "fresh@alpha.test", "full_name": "X", "role": ""}, "role"),
        ({"email": "fresh@alpha.test", "full_name": "X", "role": "999999"}, "role"),
    ],
)
def test_adding_a_member_with_bad_input_names_the_field_and_adds_nobody(personas, client_as, payload, field):
    role = Role.objects.get(workspace=personas.admin.workspace, key="sales_manager")
    data = {k: (str(role.pk) if v == "ROLE" else v) for k, v in payload.items()}
    users, members = User.objects.count(), Membership.objects.count()
    response = client_as(personas.admin).post("/settings/members/new/", data)
    assert response.status_code == 400
    assert field_errors(response, field)
    assert (User.objects.count(), Membership.objects.count()) == (users, members)
    assert not Event.objects.filter(kind="member.added").exists()


def test_role_of_another_workspace_cannot_be_given(personas, api_as):
    foreign = Role.objects.filter(workspace=personas.other.workspace).first()
    response = api_as(personas.admin).post(
        "/api/v1/users", {"email": "x@alpha.test", "full_name": "X", "role_id": foreign.pk}
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["role"]
    assert not User.objects.filter(email="x@alpha.test").exists()


def test_change_a_members_role_and_team_records_the_diff(personas, api_as):
    api = api_as(personas.admin)
    member = api.get(f"/api/v1/users/{personas.manager1.user_id}").json()
    head_role = Role.objects.get(workspace=personas.admin.workspace, key="head_of_sales")
    response = api.patch(
        f"/api/v1/users/{member['id']}",
        {"version": member["version"], "role_id": head_role.pk, "team_id": personas.sales.pk},
    )
    assert response.status_code == 200
    assert response.json()["role"]["id"] == head_role.pk
    event = Event.objects.get(kind="member.changed")
    assert event.changes == {
        "role": [personas.manager1.role_id, head_role.pk],
        "team": [personas.north.pk, personas.sales.pk],
    }


def test_stale_member_edit_in_the_ui_shows_the_other_change(personas, client_as):
    client = client_as(personas.admin)
    stale_version = personas.manager1.version
    member_update(
        personas.admin,
        personas.manager1.user_id,
        version=stale_version,
        role_id=personas.manager1.role_id,
        team_id=personas.south.pk,
        title="Moved",
    )
    response = client.post(
        f"/settings/members/{personas.manager1.user_id}/",
        {
            "version": stale_version,
            "role": personas.manager1.role_id,
            "team": personas.north.pk,
            "title": "Mine",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "Moved" in body
    assert Membership.objects.get(pk=personas.manager1.pk).title == "Moved"


def test_the_last_administrator_cannot_be_demoted_or_deactivated(personas, api_as):
    api = api_as(personas.admin)
    me = api.get(f"/api/v1/users/{personas.admin.user_id}").json()
    manager_role = Role.objects.get(workspace=personas.admin.workspace, key="sales_manager")
    response = api.patch(f"/api/v1/users/{me['id']}", {"version": me["version"], "role_id": manager_role.pk})
    assert response.status_code == 422
    assert "at least one active member who can administer" in response.json()["error"]["message"]
    assert Membership.objects.get(pk=personas.admin.pk).role.key == "administrator"
    response = api.post(f"/api/v1/users/{personas.admin.user_id}/deactivate")
    assert response.status_code == 422
    assert Membership.objects.get(pk=personas.admin.pk).is_active


def test_deactivate_and_reactivate_in_the_ui(personas, client_as):
    client = client_as(personas.admin)
    assert client.post(f"/settings/members/{personas.manager2.user_id}/deactivate/").status_code == 302
    assert not Membership.objects.get(pk=personas.manager2.pk).is_active
    assert client.post(f"/settings/members/{personas.manager2.user_id}/reactivate/").status_code == 302
    assert Membership.objects.get(pk=personas.manager2.pk).is_active
    assert list(Event.objects.filter(kind__startswith="member.").values_list("kind", flat=True).order_by("id")) == [
        "member.deactivated",
        "member.reactivated",
    ]


def test_member_directory_is_readable_by_every_member_but_only_of_their_workspace(personas, api_as):
    body = api_as(personas.readonly).get("/api/v1/users", {"q": "north"}).json()
    assert [u["email"] for u in body["items"]] == ["m1@alpha.test"]
    emails = {u["email"] for u in api_as(personas.other).get("/api/v1/users").json()["items"]}
    assert emails == {"admin@beta.test"}
    assert api_as(personas.other).get(f"/api/v1/users/{personas.manager1.user_id}").status_code == 404


def test_member_list_page_filters_and_sorts(personas, client_as):
    client = client_as(personas.admin)
    response = client.get("/settings/members/", {"team": personas.north.pk})
    body = response.content.decode()
    assert "Mila North" in body and "Max South" not in body
    response = client.get(
        "/settings/members/", {"sort": "-user__email"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert body.index("ro@alpha.test") < body.index("admin@alpha.test")


# --- Teams --------------------------------------------------------------------------


def test_team_tree_cannot_get_a_cycle(personas, client_as):
    client = client_as(personas.admin)
    response = client.post(
        f"/settings/teams/{personas.sales.pk}/",
        {
            "name": "Sales",
            "parent": personas.north.pk,
            "description": "",
            "version": personas.sales.version,
        },
    )
    assert response.status_code == 400
    assert "under itself" in field_errors(response, "parent")
    assert Team.objects.get(pk=personas.sales.pk).parent is None


def test_team_names_are_unique_in_a_workspace_only(personas, api_as):
    assert api_as(personas.admin).post("/api/v1/teams", {"name": "north"}).status_code == 422
    assert api_as(personas.other).post("/api/v1/teams", {"name": "North"}).status_code == 201


def test_a_team_with_members_or_sub_teams_is_not_deleted(personas, client_as):
    client = client_as(personas.admin)
    client.post(f"/settings/teams/{personas.sales.pk}/delete/")
    assert Team.objects.filter(pk=personas.sales.pk).exists()
    response = client.post(f"/settings/teams/{personas.north.pk}/delete/", follow=True)
    assert "has 1 member" in response.content.decode()
    assert Team.objects.filter(pk=personas.north.pk).exists()
    empty = Team.objects.create(workspace=personas.admin.workspace, name="Empty")
    client.post(f"/settings/teams/{empty.pk}/delete/")
    assert not Team.objects.filter(pk=empty.pk).exists()
    assert Event.objects.filter(kind="team.deleted", target_id=empty.pk).exists()


def test_team_update_with_stale_version_is_refused(personas):
    from relata.core.concurrency import StaleVersion

    team_update(personas.admin, personas.north.pk, version=1, name="North-East")
    with pytest.raises(StaleVersion) as caught:
        team_update(personas.admin, personas.north.pk, version=1, name="North-West")
    assert caught.value.theirs == {"name": "North-East"}


# --- Roles --------------------------------------------------------------------------


def test_role_permissions_changed_in_the_matrix_take_effect_and_are_audited(personas, client_as):
    role = personas.manager1.role
    permissions = [*role.permissions, "clients.export"]
    response = client_as(personas.admin).post(
        f"/settings/roles/{role.pk}/",
        {
            "name": "",
            "description": role.description,
            "scope": "own",
            "permissions": permissions,
            "version": role.version,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=personas.manager1.pk).can("clients", "export")
    event = Event.objects.get(kind="role.changed")
    assert event.data == {"permissions_added": ["clients.export"], "permissions_removed": []}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"permissions": ["clients.fly"]}, "permissions", "Unknown permission"),
        ({"permissions": ["clients.export"]}, "permissions", "Grant “view”"),
        ({"scope": "galaxy"}, "scope", ""),
    ],
)
def test_invalid_role_changes_are_refused(personas, api_as, changes, field, message):
    role = personas.manager1.role
    before = list(Role.objects.get(pk=role.pk).permissions)
    response = api_as(personas.admin).patch(f"/api/v1/roles/{role.pk}", {"version": role.version, **changes})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert message in " ".join(response.json()["error"]["fields"][field])
    assert Role.objects.get(pk=role.pk).permissions == before


def test_removing_administration_from_the_only_admin_role_is_refused(personas):
    admin_role = personas.admin.role
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        role_update(
            personas.admin,
            admin_role.pk,
            version=admin_role.version,
            name="",
            scope="all",
            permissions=[p for p in admin_role.permissions if not p.startswith("admin.")],
        )
    assert "admin.change" in Role.objects.get(pk=admin_role.pk).permissions


def test_custom_role_create_copy_and_delete(personas, client_as):
    client = client_as(personas.admin)
    source = personas.readonly.role
    page = client.get(f"/settings/roles/new/?copy={source.pk}")
    assert "Copy of Read-only" in page.content.decode()
    response = client.post(
        "/settings/roles/new/", {"name": "Auditor", "scope": "all", "permissions": ["clients.view", "clients.export"]}
    )
    assert response.status_code == 302
    auditor = Role.objects.get(workspace=personas.admin.workspace, name="Auditor")
    assert sorted(auditor.permissions) == ["clients.export", "clients.view"]
    response = client.post("/settings/roles/new/", {"name": "auditor", "scope": "all", "permissions": []})
    assert response.status_code == 400 and "already exists" in field_errors(response, "name")
    client.post(f"/settings/roles/{auditor.pk}/delete/")
    assert not Role.objects.filter(pk=auditor.pk).exists()


def test_builtin_and_used_roles_cannot_be_deleted(personas, api_as):
    api = api_as(personas.admin)
    response = api.delete(f"/api/v1/roles/{personas.manager1.role_id}")
    assert response.status_code == 422 and "Built-in" in response.json()["error"]["message"]
    custom = api.post("/api/v1/roles", {"name": "Temp", "scope": "own", "permissions": ["clients.view"]}).json()
    member = Membership.objects.get(pk=personas.readonly.pk)
    member.role_id = custom["id"]
    member.save()
    response = api.delete(f"/api/v1/roles/{custom['id']}")
    assert response.status_code == 422 and "given to 1 member" in response.json()["error"]["message"]


# --- Modules ------------------------------------------------------------------------


def test_switching_a_module_off_hides_it_and_is_audited(personas, client_as):
    client = client_as(personas.admin)
    workspace = personas.admin.workspace
    enabled = [m for m in SWITCHABLE_MODULES if m != "sales"]
    response = client.post("/settings/modules/", {"enabled": enabled, "version": workspace.version})
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert not workspace.module_enabled("sales")
    event = Event.objects.get(kind="workspace.modules_changed")
    assert event.changes["enabled_modules"][0] == list(SWITCHABLE_MODULES)
    assert "sales" not in event.changes["enabled_modules"][1]


def test_unknown_module_is_refused_by_the_api(personas, api_as):
    api = api_as(personas.admin)
    version = api.get("/api/v1/workspace/modules").json()["version"]
    response = api.put("/api/v1/workspace/modules", {"enabled": ["sales", "teleportation"], "version": version})
    assert response.status_code == 422
    assert "enabled" in response.json()["error"]["fields"]
    assert Workspace.objects.get(pk=personas.admin.workspace_id).version == version


def test_non_admins_cannot_switch_modules(personas, client_as):
    response = client_as(personas.head).post("/settings/modules/", {"enabled": [], "version": 1})
    assert response.status_code == 403
    assert Workspace.objects.get(pk=personas.admin.workspace_id).enabled_modules == list(SWITCHABLE_MODULES)


# --- Audit log ----------------------------------------------------------------------


def test_audit_log_filters_by_user_kind_record_and_period(personas, client_as, api_as):
    member_deactivate(personas.admin, personas.manager2.user_id)
    team_update(personas.admin, personas.north.pk, version=1, name="North-East")
    client = client_as(personas.admin)
    results = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list-results"}
    body = client.get("/settings/audit/", {"kind": "team.changed"}, **results).content.decode()
    assert "North-East" in body and "Max South" not in body
    body = client.get("/settings/audit/", {"record": f"team:{personas.north.pk}"}).content.decode()
    assert "North-East" in body
    body = client.get("/settings/audit/", {"since": "2000-01-01", "until": "2000-01-02"}).content.decode()
    assert 'data-testid="empty-state"' in body
    events = (
        api_as(personas.admin)
        .get("/api/v1/audit/events", {"actor_id": personas.admin.user_id, "target_type": "core.membership"})
        .json()
    )
    assert [e["kind"] for e in events["items"]] == ["member.deactivated"]


def test_audit_log_is_only_for_administrators_and_only_of_their_workspace(personas, client_as, api_as):
    assert client_as(personas.head).get("/settings/audit/").status_code == 403
    assert api_as(personas.manager1).get("/api/v1/audit/events").status_code == 403
    team_update(personas.admin, personas.north.pk, version=1, name="North-East")
    items = api_as(personas.other).get("/api/v1/audit/events").json()["items"]
    assert all(e["target_repr"] != "North-East" for e in items)


# --- Export -------------------------------------------------------------------------


def test_audit_log_export_is_filtered_neutralised_and_itself_audited(personas, client_as):
    import csv
    import io

    from openpyxl import load_workbook

    from relata.core.audit import record_event

    record_event(
        kind="team.changed",
        workspace=personas.admin.workspace,
        actor=personas.admin.user,
        target=personas.north,
        changes={"name": ["North", '=HYPERLINK("http://evil")']},
    )
    client = client_as(personas.admin)
    response = client.get("/settings/audit/export/", {"format": "csv", "kind": "team.changed"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Time", "User", "Kind"]
    assert len(rows) == 2 and rows[1][2] == "Team changed"
    assert "=HYPERLINK" in rows[1][4] and not rows[1][4].startswith("=")
    event = Event.objects.get(kind="audit.exported")
    assert event.data == {"filters": {"kind": "team.changed"}, "rows": 1, "format": "csv"}

    response = client.get("/settings/audit/export/", {"format": "xlsx", "kind": "team.changed"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Time" and len(values) == 2
    assert values[1][4] == 'name: North → =HYPERLINK("http://evil")'  # a string cell in Excel, never a formula


def test_formula_like_cells_are_neutralised():
    from relata.core.export import safe_cell

    for dangerous in ["=1+1", "+7 999", "-2", "@SUM(A1)", "\tx", "\r=1"]:
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell(-2) == -2 and safe_cell("Иванов") == "Иванов" and safe_cell(None) == ""


def test_audit_export_needs_the_export_permission_and_valid_input(personas, client_as):
    assert client_as(personas.head).get("/settings/audit/export/").status_code == 403
    admin_role = personas.admin.role
    role_update_perms = [p for p in admin_role.permissions if p != "admin.export"]
    Role.objects.filter(pk=admin_role.pk).update(permissions=role_update_perms)
    assert client_as(personas.admin).get("/settings/audit/export/").status_code == 403
    Role.objects.filter(pk=admin_role.pk).update(permissions=[*role_update_perms, "admin.export"])
    response = client_as(personas.admin).get("/settings/audit/export/", {"format": "pdf"})
    assert response.status_code == 302
    response = client_as(personas.admin).get("/settings/audit/export/", {"format": "csv", "since": "yesterday"})
    assert response.status_code == 302
    assert not Event.objects.filter(kind="audit.exported").exists()


# --- Workspace settings -------------------------------------------------------------


def test_workspace_settings_change_the_phone_region_used_for_new_numbers(personas, client_as, api_as):
    client = client_as(personas.admin)
    workspace = personas.admin.workspace
    response = client.post(
        "/settings/workspace/",
        {
            "version": workspace.version,
            "name": "Alpha Bricks KZ",
            "language": "ru",
            "time_zone": "Asia/Almaty",
            "default_currency": "kzt",
            "default_phone_region": "kz",
        },
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert (workspace.default_currency, workspace.default_phone_region) == ("KZT", "KZ")
    assert Event.objects.get(kind="workspace.changed").changes["default_phone_region"] == ["RU", "KZ"]
    created = api_as(personas.manager1).post(
        "/api/v1/people", {"last_name": "Ахметов", "phones": [{"number": "8 701 123 45 67"}]}
    )
    assert created.json()["phones"][0]["number"] == "+77011234567"


def test_workspace_settings_bad_input(personas, api_as):
    api = api_as(personas.admin)
    version = api.get("/api/v1/workspace").json()["version"]
    for field, value in [
        ("default_phone_region", "XX"),
        ("default_currency", "rubles"),
        ("time_zone", "Mars/Base"),
        ("name", "  "),
    ]:
        response = api.patch("/api/v1/workspace", {"version": version, field: value})
        assert response.status_code == 422 and field in response.json()["error"]["fields"], (field, response.json())
    assert Workspace.objects.get(pk=personas.admin.workspace_id).version == version
    assert api_as(personas.head).patch("/api/v1/workspace", {"version": version, "name": "X"}).status_code == 403
