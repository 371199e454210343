"""A new manager's first session, as a user walks it: log in, switch to Russian, open the
profile, create an API token, log out."""

from __future__ import annotations

import re

from django.test import Client
from playwright.sync_api import Page, expect

from e2e.pages import LoginPage, ProfilePage, Shell, TokensPage
from relata.core.demo import DEMO_PASSWORD
from relata.core.models import ApiToken, Event, User


def test_manager_first_session(page: Page, live_server, demo) -> None:
    base = live_server.url
    shell = Shell(page, base)

    LoginPage(page, base).log_in("manager@demo.relata.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{base}/")
    shell.expect_language("en")
    expect(page.get_by_test_id("page-title")).to_contain_text("Welcome, Мария")

    shell.switch_language("Русский")
    shell.expect_language("ru")
    expect(page.get_by_test_id("page-title")).to_contain_text("Добро пожаловать")
    expect(page.get_by_test_id("main-nav")).to_contain_text("Главная")
    assert User.objects.get(email="manager@demo.relata.test").language == "ru"

    shell.open_profile()
    expect(page).to_have_url(f"{base}/profile/")
    expect(page.get_by_test_id("page-title")).to_have_text("Профиль")

    ProfilePage(page, base).open_tokens()
    expect(page).to_have_url(f"{base}/profile/tokens/")
    secret = TokensPage(page, base).create("Выгрузка в 1С")
    expect(page.get_by_test_id("token-created")).to_contain_text("Скопируйте")
    expect(page.get_by_test_id("token-table")).to_contain_text("Выгрузка в 1С")
    assert re.fullmatch(r"rl_[\w-]{40,}", secret)
    assert ApiToken.objects.filter(name="Выгрузка в 1С", revoked_at=None).count() == 1
    # The token works against the API as the manager.
    me = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me").json()
    assert me["email"] == "manager@demo.relata.test"

    shell.log_out()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/login/"))
    expect(page.locator("main")).to_contain_text("Войти")
    page.goto(f"{base}/profile/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/profile/"))
    assert Event.objects.filter(kind="auth.logout", actor__email="manager@demo.relata.test").exists()
