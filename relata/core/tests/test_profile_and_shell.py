"""The member's own profile and API tokens, the language switch, search and navigation."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from relata.core.models import ApiToken, Event, User
from relata.core.services.tokens import hash_token, token_create
from relata.web.navigation import NavItem, register_nav


def test_profile_update_in_the_ui(personas, client_as):
    client = client_as(personas.manager1)
    response = client.post("/profile/", {"full_name": "Mila Nord", "language": "ru", "time_zone": "Asia/Yekaterinburg"})
    assert response.status_code == 302
    user = User.objects.get(pk=personas.manager1.user_id)
    assert (user.full_name, user.language, user.time_zone) == ("Mila Nord", "ru", "Asia/Yekaterinburg")
    assert Event.objects.get(kind="member.changed").changes["full_name"] == ["Mila North", "Mila Nord"]


def test_profile_bad_input_names_the_field_and_changes_nothing(personas, client_as):
    response = client_as(personas.manager1).post("/profile/", {"full_name": "  ", "language": "xx", "time_zone": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_full_name_errors"' in body and 'id="id_language_errors"' in body
    assert User.objects.get(pk=personas.manager1.user_id).full_name == "Mila North"


def test_profile_through_the_api(personas, api_as):
    api = api_as(personas.manager1)
    me = api.get("/api/v1/me").json()
    assert me["email"] == "m1@alpha.test" and me["scope"] == "own" and me["team"]["name"] == "North"
    assert "clients.view" in me["permissions"] and "admin.view" not in me["permissions"]
    response = api.patch("/api/v1/me", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422 and list(response.json()["error"]["fields"]) == ["time_zone"]
    assert api.patch("/api/v1/me", {"full_name": "Mila N."}).json()["full_name"] == "Mila N."


def test_create_use_and_revoke_a_token_in_the_ui(personas, client_as):
    client = client_as(personas.manager1)
    response = client.post("/profile/tokens/", {"name": "Accounting export", "expires_at": ""})
    assert response.status_code == 200
    secret = re.search(r'data-testid="token-secret" x-ref="secret"|value="(rl_[^"]+)"', response.content.decode())
    secret = re.search(r'value="(rl_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(name="Accounting export")
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert secret.startswith(token.prefix)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/me").json()["email"] == "m1@alpha.test"
    # The secret is shown once only.
    assert secret not in client.get("/profile/tokens/").content.decode()
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert [e.kind for e in Event.objects.filter(kind__startswith="token.").order_by("id")] == [
        "token.created",
        "token.revoked",
    ]


def test_token_bad_input_and_other_peoples_tokens(personas, client_as, api_as):
    client = client_as(personas.manager1)
    response = client.post("/profile/tokens/", {"name": "", "expires_at": "not-a-date"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name_errors"' in body and 'id="id_expires_at_errors"' in body
    response = client.post("/profile/tokens/", {"name": "Old", "expires_at": "2001-01-01"})
    assert response.status_code == 400 and "must be in the future" in response.content.decode()
    assert not ApiToken.objects.filter(membership=personas.manager1).exists()
    theirs, _secret = token_create(personas.manager2, name="theirs")
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_as(personas.manager1).delete(f"/api/v1/me/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_expired_token_is_refused(personas):
    token, secret = token_create(personas.manager1, name="short", expires_at=timezone.now() + dt.timedelta(hours=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me").status_code == 401


def test_tokens_through_the_api_show_the_secret_once(personas, api_as):
    api = api_as(personas.manager1)
    created = api.post("/api/v1/me/tokens", {"name": "CI"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = api.get("/api/v1/me/tokens").json()
    assert secret not in str(listed)
    assert {t["name"] for t in listed} == {"tests", "CI"}
    assert api.delete(f"/api/v1/me/tokens/{created.json()['id']}").status_code == 204
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me").status_code == 401


def test_language_switch_remembers_the_choice_in_the_profile(personas, client_as):
    client = client_as(personas.manager1)
    response = client.post("/language/", {"language": "ru", "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert User.objects.get(pk=personas.manager1.user_id).language == "ru"
    page = client.get("/profile/").content.decode()
    assert '<html lang="ru">' in page and "Профиль" in page
    client.post("/language/", {"language": "en", "next": "https://evil.test/"})
    assert '<html lang="en">' in client.get("/profile/").content.decode()


def test_anonymous_language_switch_uses_a_cookie(db):
    client = Client()
    client.post("/language/", {"language": "ru"})
    assert "Войти" in client.get("/login/").content.decode()
    client.post("/language/", {"language": "klingon"})
    assert "Войти" in client.get("/login/").content.decode()


def test_global_search_finds_colleagues_by_any_fragment(personas, client_as):
    client = client_as(personas.manager1)
    body = client.get("/search/", {"q": "sou"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Max South" in body and "<html" not in body
    assert "Boris Other" not in client.get("/search/", {"q": "boris"}, HTTP_HX_REQUEST="true").content.decode()
    assert "at least two characters" in client.get("/search/", {"q": "m"}, HTTP_HX_REQUEST="true").content.decode()


def test_navigation_shows_modules_the_member_may_see_and_that_are_on(personas, client_as):
    register_nav(NavItem("tests-sales", "Deals (test)", "web:home", "sales", icon="kanban"))
    head = client_as(personas.head).get("/").content.decode()
    assert 'data-nav="tests-sales"' in head
    assert 'data-testid="menu-settings"' not in head
    admin = client_as(personas.admin).get("/").content.decode()
    assert 'data-testid="menu-settings"' in admin
    workspace = personas.admin.workspace
    workspace.enabled_modules = [m for m in workspace.enabled_modules if m != "sales"]
    workspace.save()
    assert 'data-nav="tests-sales"' not in client_as(personas.head).get("/").content.decode()
    storekeeper_role = personas.readonly.role
    storekeeper_role.permissions = ["clients.view"]
    storekeeper_role.save()
    workspace.enabled_modules = ["sales"]
    workspace.save()
    assert 'data-nav="tests-sales"' not in client_as(personas.readonly).get("/").content.decode()


def test_notifications_badge_counts_running_jobs(personas, client_as):
    from relata.core.services.jobs import job_start

    job_start(personas.manager1, kind="core.handover", params={})
    body = client_as(personas.manager1).get("/notifications/").content.decode()
    assert "1 job running" in body
    assert "job running" not in client_as(personas.manager2).get("/notifications/").content.decode().replace(
        "0 jobs running", ""
    )


def test_the_browsers_favicon_request_sets_no_csrf_cookie(client):
    """A browser's first page and its /favicon.ico are requested together: had the icon
    answered with the 404 page, its CSRF cookie would replace the page's and the login
    form sent next would be refused."""
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("web/favicon.svg")
    assert "csrftoken" not in answer.cookies
