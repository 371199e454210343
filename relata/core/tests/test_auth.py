"""Log-in, throttling, log-out, password change and reset, deactivation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import PASSWORD
from relata.core.models import Event, LoginThrottle, User
from relata.core.services.members import member_deactivate
from relata.core.services.tokens import token_create

LOGIN = "/login/"


def login(client: Client, email: str, password: str, ip: str = "10.0.0.1"):
    # An English browser: the default language of Relata is Russian.
    return client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def errors_of(response) -> str:
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S))


def test_login_with_email_in_any_case_and_event(personas):
    client = Client()
    response = login(client, "M1@Alpha.TEST", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    event = Event.objects.get(kind="auth.login")
    assert event.actor == personas.manager1.user
    assert event.workspace == personas.manager1.workspace
    assert event.ip_address == "10.0.0.1"


def test_login_redirects_only_to_local_next(personas):
    response = Client().post(
        f"{LOGIN}?next=/profile/", {"email": "m1@alpha.test", "password": PASSWORD, "next": "/profile/"}
    )
    assert response["Location"] == "/profile/"
    response = Client().post(LOGIN, {"email": "m1@alpha.test", "password": PASSWORD, "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_wrong_password_is_refused_with_a_clear_error_and_recorded(personas):
    client = Client()
    response = login(client, "m1@alpha.test", "wrong-password")
    assert response.status_code == 400
    assert "e-mail or the password is wrong" in errors_of(response)
    assert "_auth_user_id" not in client.session
    event = Event.objects.get(kind="auth.login_failed")
    assert event.workspace == personas.manager1.workspace
    assert event.actor_label == "m1@alpha.test"
    assert event.data == {"reason": "bad_credentials"}


def test_unknown_user_gets_the_same_error_and_a_workspace_less_event(personas):
    response = login(Client(), "nobody@alpha.test", "whatever-password")
    assert response.status_code == 400
    assert "e-mail or the password is wrong" in errors_of(response)
    event = Event.objects.get(kind="auth.login_failed")
    assert event.workspace is None and event.actor is None
    assert event.actor_label == "nobody@alpha.test"


def test_invalid_form_names_the_field(personas):
    response = Client().post(LOGIN, {"email": "not-an-email", "password": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_email_errors"' in body and 'id="id_password_errors"' in body
    assert not Event.objects.filter(kind__startswith="auth.").exists()


@override_settings(RELATA_LOGIN_ACCOUNT_FAILURES=3, RELATA_LOGIN_LOCK_MINUTES=15)
def test_repeated_failures_lock_the_account_even_for_the_right_password(personas):
    client = Client()
    for _ in range(2):
        assert login(client, "m1@alpha.test", "nope-nope-nope").status_code == 400
    response = login(client, "m1@alpha.test", "nope-nope-nope")
    assert response.status_code == 429
    assert "locked until" in errors_of(response)
    assert Event.objects.filter(kind="auth.login_locked").count() == 1
    # The right password from another address does not get in while locked.
    response = login(client, "m1@alpha.test", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Other accounts are not affected.
    assert login(Client(), "m2@alpha.test", PASSWORD).status_code == 302


@override_settings(RELATA_LOGIN_ACCOUNT_FAILURES=3, RELATA_LOGIN_LOCK_MINUTES=15)
def test_lock_expires(personas):
    for _ in range(3):
        login(Client(), "m1@alpha.test", "nope-nope-nope")
    LoginThrottle.objects.filter(kind="account").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert login(Client(), "m1@alpha.test", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(kind="account").exists()


@override_settings(RELATA_LOGIN_ADDRESS_FAILURES=4, RELATA_LOGIN_ACCOUNT_FAILURES=100)
def test_repeated_failures_from_one_address_lock_the_address(personas):
    for n in range(4):
        login(Client(), f"guess{n}@alpha.test", "nope-nope-nope", ip="203.0.113.5")
    response = login(Client(), "m1@alpha.test", PASSWORD, ip="203.0.113.5")
    assert response.status_code == 429
    assert login(Client(), "m1@alpha.test", PASSWORD, ip="203.0.113.6").status_code == 302


def test_deactivated_member_cannot_log_in_and_is_told_why(personas):
    member_deactivate(personas.admin, personas.manager1.user_id)
    response = login(Client(), "m1@alpha.test", PASSWORD)
    assert response.status_code == 400
    assert "access to Relata has been turned off" in errors_of(response)


def test_deactivation_ends_open_sessions_and_api_tokens(personas, api_as):
    client = Client()
    assert login(client, "m1@alpha.test", PASSWORD).status_code == 302
    _token, secret = token_create(personas.manager1, name="script")
    api = Client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    member_deactivate(personas.admin, personas.manager1.user_id)

    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    event = Event.objects.get(kind="member.deactivated")
    assert event.data["tokens_revoked"] == 1


def test_logout_is_post_only_and_recorded(personas):
    client = Client()
    login(client, "m1@alpha.test", PASSWORD)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert Event.objects.filter(kind="auth.logout", actor=personas.manager1.user).count() == 1


def test_password_change_keeps_this_session_and_ends_the_others(personas):
    here, elsewhere = Client(), Client()
    login(here, "m1@alpha.test", PASSWORD)
    login(elsewhere, "m1@alpha.test", PASSWORD)
    response = here.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert Event.objects.filter(kind="auth.password_changed").exists()


def test_password_change_with_wrong_old_password_changes_nothing(personas):
    client = Client()
    login(client, "m1@alpha.test", PASSWORD)
    response = client.post(
        "/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 200
    assert "id_old_password_errors" in response.content.decode()
    assert User.objects.get(pk=personas.manager1.user_id).check_password(PASSWORD)


def test_password_reset_by_email_link(personas):
    response = Client().post("/password/reset/", {"email": "M1@alpha.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "fresh-passphrase-9", "new_password2": "fresh-passphrase-9"})
    assert response.status_code == 302
    assert login(Client(), "m1@alpha.test", "fresh-passphrase-9").status_code == 302
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"auth.password_reset_requested", "auth.password_reset"} <= kinds


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(personas):
    response = Client().post("/password/reset/", {"email": "nobody@alpha.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_expired_or_used_reset_link_is_refused_clearly(personas):
    user = personas.manager1.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    user.set_password("changed-meanwhile-1")
    user.save()  # a used or outdated token no longer matches
    response = Client().get(f"/password/reset/{uid}/{token}/", follow=True)
    assert response.status_code == 200
    assert 'data-testid="invalid-link"' in response.content.decode()
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        fresh = default_token_generator.make_token(User.objects.get(pk=user.pk))
        response = Client().get(f"/password/reset/{uid}/{fresh}/", follow=True)
    assert 'data-testid="invalid-link"' in response.content.decode()


def test_user_without_membership_sees_no_access_page(db):
    user = User.objects.create_user("lonely@example.test", PASSWORD, full_name="Lonely")
    response = login(Client(), user.email, PASSWORD)
    assert response.status_code == 400
    assert "turned off" in errors_of(response)


@pytest.mark.parametrize("path", ["/", "/profile/", "/settings/members/"])
def test_pages_redirect_anonymous_users_to_login(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")
